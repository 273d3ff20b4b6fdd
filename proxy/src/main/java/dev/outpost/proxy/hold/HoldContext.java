package dev.outpost.proxy.hold;

import dev.outpost.proxy.observe.ConnectionObserver;
import dev.outpost.proxy.pubsub.ChannelHub;
import dev.outpost.proxy.pubsub.Drops;

/**
 * What every hold of one client connection shares: where it subscribes, where it counts drops and reports, its
 * limits, and its way back to the origins for next and gone links.
 *
 * @param hub where channels are subscribed
 * @param drops where dropped messages are counted
 * @param observer the client connection's observer
 * @param connectionId names the client connection in logs of dropped messages
 * @param streamQueueMax published items a stream queues for a client that does not read ({@code stream_queue_max})
 * @param links sends next and gone links; null where links can't be followed
 */
public record HoldContext(
        ChannelHub hub,
        Drops drops,
        ConnectionObserver observer,
        String connectionId,
        int streamQueueMax,
        LinkSender links) {}
