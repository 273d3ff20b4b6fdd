package dev.outpost.proxy.hold;

/** A held request: subscribed to channels until a publish, a timeout or the client ends it. */
public interface Hold {

    /** Subscribes and starts timers; a stream hold also sends its head and initial body. */
    void start();

    /** The client went away: unsubscribe and cancel everything at once, and post the gone link if any. Idempotent. */
    void clientClosed();

    /** The client socket can take more bytes again. */
    void clientWritable();

    /** The proxy is stopping: end the hold cleanly now (a long-poll gets its timeout response, a stream its end). */
    void shutdown();
}
