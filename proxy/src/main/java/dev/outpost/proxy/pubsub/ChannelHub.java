package dev.outpost.proxy.pubsub;

import dev.outpost.grip.publish.PublishItem;
import java.util.List;

/**
 * Channels and their live subscribers: the seam where an external bus (Redis, NATS) can plug in later.
 *
 * <p>An implementation backed by a bus would publish items to the bus and deliver what the bus hands back to the
 * local subscribers; {@link #subscribe} would add a bus subscription for a channel's first local subscriber and drop
 * it with the last one.
 *
 * <p>Thread safety: every method may be called from any thread. Subscribers are called on their own
 * {@link Subscriber#executor()}.
 */
public interface ChannelHub {

    /** Adds {@code subscriber} to {@code channel}. Closing the returned subscription removes it at once. */
    Subscription subscribe(String channel, Subscriber subscriber);

    /**
     * Delivers each item to the channel's current subscribers that take one of its formats. Returns without
     * waiting for the delivery (as Pushpin answers before fanning out).
     */
    void publish(List<PublishItem> items);

    /** Number of live subscribers on {@code channel}. */
    int subscriberCount(String channel);

    /** Names of the channels that have at least one subscriber. */
    java.util.Set<String> channels();

    /**
     * The ID of the last item delivered on {@code channel}, or null when unknown (no ID, no subscriber since, or
     * forgotten after a conflict or a recovery).
     */
    default String lastId(String channel) {
        return null;
    }

    /** Forgets the channel's last ID (a session found it inconsistent with what its origin said). */
    default void forgetLastId(String channel) {}

    /** {@code POST /recover}: forgets every last ID and asks every session to update from its origin. */
    default void recover() {}
}
