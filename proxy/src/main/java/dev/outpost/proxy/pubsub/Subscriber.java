package dev.outpost.proxy.pubsub;

import dev.outpost.grip.publish.PublishItem;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.EventExecutor;

/** A live session that receives published items. */
public interface Subscriber {

    /** The format this subscriber takes; items without it are not delivered. */
    DeliveryFormat format();

    /** Where {@link #onMessage} runs: the session's event loop. */
    EventExecutor executor();

    /**
     * Receives one item, on {@link #executor()}.
     *
     * @param payload the encoded content of {@link #format()} (empty when the item has none); the callee owns it
     *     and must release it
     */
    void onMessage(String channel, PublishItem item, ByteBuf payload);
}
