package dev.outpost.proxy.hold;

import dev.outpost.proxy.observe.ConnectionObserver;
import dev.outpost.proxy.pubsub.Drops;
import java.util.Map;

/**
 * The client connection's side of a hold: told once when the hold has written its last byte, and asked to go back to
 * the origin when the hold needs it (a long-poll retry, a stream's next link).
 */
public interface HoldOwner {

    /**
     * The hold is over and its response fully written (or the write failed).
     *
     * @param keepAlive whether the client connection may carry another request
     */
    void holdFinished(boolean keepAlive);

    /**
     * Re-sends the original request to the origin with {@code Grip-Last: <channel>; last-id=<id>} for each entry;
     * the new answer replaces the hold. Returns false when that is not possible (the hold then stays); on true the
     * hold is over and must write nothing more.
     */
    default boolean retry(Map<String, String> gripLast) {
        return false;
    }

    /**
     * GETs {@code link} (as the origin gave it) with {@code Grip-Last} headers, retrying with backoff, and answers
     * {@code to} on the hold's event loop. Returns false when links can't be followed.
     */
    default boolean fetchNext(String link, Map<String, String> gripLast, NextStep.Listener to) {
        return false;
    }

    /** What the hold reports through: the client connection's observer. */
    default ConnectionObserver observer() {
        return ConnectionObserver.NOOP;
    }

    /** Names the client connection in logs of dropped messages. */
    default String connectionId() {
        return "-";
    }

    /** Where dropped messages are counted. */
    Drops drops();

    /** How many published items a stream queues for a client that does not read ({@code stream_queue_max}). */
    default int streamQueueMax() {
        return HoldSupport.QUEUE_MAX;
    }

    /** Whether error texts may be shown to the client ({@code debug}). */
    default boolean debug() {
        return false;
    }
}
