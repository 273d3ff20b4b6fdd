package dev.outpost.proxy.pubsub;

/** A subscriber's membership of one channel. */
public interface Subscription extends AutoCloseable {

    String channel();

    /** Removes the subscriber from the channel. Idempotent. */
    @Override
    void close();
}
