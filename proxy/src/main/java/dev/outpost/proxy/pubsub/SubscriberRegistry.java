package dev.outpost.proxy.pubsub;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The local subscribers of each channel, and which channels this node wants: a channel is {@linkplain
 * Interest#wanted wanted} when it gains its first subscriber and was not subscribed within the linger (Pushpin's
 * {@code subscription_linger}, {@value #LINGER_SECONDS} s unless set), and {@linkplain Interest#emptied emptied} when its
 * last subscriber leaves.
 *
 * <p>Thread safety: changes run under {@code lock} (the owning hub's), and so do the {@link Interest} calls; reads
 * ({@link #subscribers}, {@link #count}, {@link #channels}) may run on any thread without it.
 */
public final class SubscriberRegistry {
    /** A channel subscribed again within this time is not wanted anew (Pushpin's subscription linger). */
    public static final long LINGER_SECONDS = 60;

    private final long lingerNanos;
    /** Emptied channels remembered at most before those past the linger are forgotten. */
    private static final int EMPTIED_MAX = 10_000;

    /** Told of changes in what this node wants, under the registry's lock. */
    public interface Interest {
        /** {@code channel} has its first subscriber and its linger had passed (or it never had one). */
        default void wanted(String channel) {}

        /** {@code channel} lost its last subscriber. */
        default void emptied(String channel) {}
    }

    private final Object lock;
    private final Interest interest;
    private final Map<String, Set<Entry>> channels = new ConcurrentHashMap<>();
    /** When each channel last lost its last subscriber. Guarded by lock. */
    private final Map<String, Long> emptiedAt = new HashMap<>();

    /**
     * @param lock     what guards every change (the hub's lock)
     * @param interest told of wanted and emptied channels
     */
    public SubscriberRegistry(Object lock, Interest interest) {
        this(lock, interest, TimeUnit.SECONDS.toNanos(LINGER_SECONDS));
    }

    /**
     * @param lock        what guards every change (the hub's lock)
     * @param interest    told of wanted and emptied channels
     * @param lingerNanos {@code subscription_linger}: a channel subscribed again within this time is not wanted anew
     */
    public SubscriberRegistry(Object lock, Interest interest, long lingerNanos) {
        this.lock = lock;
        this.interest = interest;
        this.lingerNanos = lingerNanos;
    }

    /** {@code subscription_linger} in nanoseconds. */
    public long lingerNanos() {
        return lingerNanos;
    }

    /** Adds {@code subscriber} to {@code channel}; closing the entry removes it. */
    public Entry add(String channel, Subscriber subscriber, long now) {
        Entry e = new Entry(channel, subscriber);
        synchronized (lock) {
            Set<Entry> s = channels.computeIfAbsent(channel, k -> ConcurrentHashMap.newKeySet());
            boolean first = s.isEmpty();
            s.add(e);
            if (first) {
                Long at = emptiedAt.remove(channel);
                if (at == null || now - at > lingerNanos) {
                    interest.wanted(channel);
                }
            }
        }
        return e;
    }

    /**
     * Forgets when {@code channel} was emptied, so that its next first subscriber makes it wanted whatever the time
     * (its owner let go of the channel, say, on a bus). Under lock.
     */
    public void forgetEmptied(String channel) {
        emptiedAt.remove(channel);
    }

    /** The live subscribers of {@code channel}, or null when it has none. */
    public Set<Entry> subscribers(String channel) {
        Set<Entry> s = channels.get(channel);
        return s == null || s.isEmpty() ? null : s;
    }

    /** Number of live subscribers on {@code channel}. */
    public int count(String channel) {
        Set<Entry> s = channels.get(channel);
        return s == null ? 0 : s.size();
    }

    /** Names of the channels with at least one subscriber (a copy). */
    public Set<String> channels() {
        return Set.copyOf(channels.keySet());
    }

    /** Every channel's subscribers, live (for updates of all sessions). */
    public Iterable<Set<Entry>> all() {
        return channels.values();
    }

    private void remove(Entry e, long now) {
        synchronized (lock) {
            Set<Entry> set = channels.get(e.channel);
            if (set == null || !set.remove(e) || !set.isEmpty()) {
                return;
            }
            channels.remove(e.channel);
            if (emptiedAt.size() >= EMPTIED_MAX) {
                // unique channels come and go: forget those past the linger time
                emptiedAt.values().removeIf(t -> now - t > lingerNanos);
            }
            emptiedAt.put(e.channel, now);
            interest.emptied(e.channel);
        }
    }

    private static final VarHandle CLOSED;

    static {
        try {
            CLOSED = MethodHandles.lookup().findVarHandle(Entry.class, "closed", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** One subscriber's membership of one channel. */
    public final class Entry implements Subscription {
        private final String channel;
        private final Subscriber subscriber;
        /** Set once by {@link #close()}; a field with a handle, not an AtomicBoolean: one object less per subscriber. */
        private volatile boolean closed;

        Entry(String channel, Subscriber subscriber) {
            this.channel = channel;
            this.subscriber = subscriber;
        }

        @Override
        public String channel() {
            return channel;
        }

        public Subscriber subscriber() {
            return subscriber;
        }

        public boolean isClosed() {
            return closed;
        }

        @Override
        public void close() {
            if (CLOSED.compareAndSet(this, false, true)) {
                remove(this, System.nanoTime());
            }
        }
    }
}
