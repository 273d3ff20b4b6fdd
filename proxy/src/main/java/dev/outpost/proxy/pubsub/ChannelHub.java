package dev.outpost.proxy.pubsub;

import dev.outpost.grip.publish.PublishItem;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * Channels and their live subscribers: the seam a bus (Redis, issue #14) implements, see ADR 0006.
 *
 * <p>Subscribers are this node's sessions. {@link LocalChannelHub} delivers within the process; a hub backed by a bus
 * publishes items to the bus, runs what the bus hands back through the same parts ({@link Sequencer},
 * {@link Pacer}, {@link FanOut}) to its local subscribers, and subscribes on the bus while its
 * {@link SubscriberRegistry} wants a channel.
 *
 * <p>Thread safety: every method may be called from any thread. Subscribers are called on their own
 * {@link Subscriber#executor()}.
 */
public interface ChannelHub extends AutoCloseable {

    /** Adds {@code subscriber} to {@code channel}. Closing the returned subscription removes it at once. */
    Subscription subscribe(String channel, Subscriber subscriber);

    /**
     * Delivers each item to the channel's current subscribers that take one of its formats. The stage completes once
     * the items are accepted in order (the local hub: sequenced and handed to each subscriber's event loop, before it
     * returns, as Pushpin answers before the deliveries are written); it fails when they cannot go out (a bus that is
     * unreachable), and then the publisher must not be told they were published.
     */
    CompletionStage<Void> publish(List<PublishItem> items);

    /** Number of live local subscribers on {@code channel}. */
    int subscriberCount(String channel);

    /** Names of the channels that have at least one local subscriber. */
    Set<String> channels();

    /**
     * The ID of the last item delivered on {@code channel}, or null when unknown (no ID, no subscriber since, or
     * forgotten after a conflict or a recovery).
     */
    String lastId(String channel);

    /** Forgets the channel's last ID (a session found it inconsistent with what its origin said). */
    void forgetLastId(String channel);

    /** {@code POST /recover}: forgets every last ID and asks every session to update from its origin. */
    void recover();

    /**
     * The live local subscribers of {@code channel} (a snapshot; empty when none), for commands addressed to sessions
     * (ZeroMQ {@code conncheck} and {@code refresh}). Call a subscriber only on its {@link Subscriber#executor()}.
     */
    default Collection<Subscriber> subscribers(String channel) {
        return List.of();
    }

    /** The bus this hub publishes through (the inspector and {@code /metrics} show it), or empty for none. */
    default Optional<BusStatus> bus() {
        return Optional.empty();
    }

    /** Stops what the hub runs (timers, a bus connection); the proxy that made the hub closes it. */
    @Override
    default void close() {}
}
