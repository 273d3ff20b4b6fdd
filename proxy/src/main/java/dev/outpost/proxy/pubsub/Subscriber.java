package dev.outpost.proxy.pubsub;

import io.netty.util.concurrent.EventExecutor;

/**
 * A live session that receives published items: a held request, a stream, a WebSocket. The hub calls
 * {@link #deliver} on {@link #executor()} for each item of {@link #format()} on a subscribed channel; a session that
 * has subscription filters runs them itself ({@link DeliveryFilter}).
 */
public interface Subscriber {

    /** The format this subscriber takes; items without it are not delivered. */
    DeliveryFormat format();

    /** Where {@link #deliver} and {@link #update} run: the session's event loop. */
    EventExecutor executor();

    /**
     * Receives one item, on {@link #executor()}. Everything in {@code d} is lent for this call only (see
     * {@link Delivery}).
     */
    void deliver(Delivery d);

    /**
     * Asks the origin again now: a long-poll is re-requested, a stream fetches its next link. Called on the executor
     * ~1 s after the channel's first subscription ({@code update_on_first_subscription}) and on recovery.
     */
    default void update() {}

    /** Names the connection in logs of dropped messages. */
    default String connectionId() {
        return "-";
    }
}
