package dev.outpost.proxy.pubsub;

import dev.outpost.grip.publish.PublishItem;
import dev.outpost.proxy.config.ProxyConfig;
import dev.outpost.proxy.pubsub.SubscriberRegistry.Entry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The in-process {@link ChannelHub}: one JVM, no bus. It is the composition of the hub's parts (ADR 0006): a
 * {@link SubscriberRegistry} of local subscribers, a {@link Sequencer} ({@code id_cache_ttl}, {@code prev-id} order,
 * last IDs), a {@link Pacer} when {@code message_rate} is set, and {@link FanOut} to each subscriber's event loop.
 * Sequencing runs only for channels with subscribers, so last IDs are kept only while a channel has some.
 *
 * <p>Thread safety: the sequencer, the pacer and the registry's changes are guarded by the hub's lock, which is also
 * held while deliveries are handed to the subscribers' executors, so that each subscriber sees a channel's items in
 * order. One timer thread, made on first use, ends waits, releases paced deliveries and runs first-subscription
 * updates.
 */
public final class LocalChannelHub implements ChannelHub {
    private static final CompletionStage<Void> ACCEPTED = CompletableFuture.completedStage(null);

    /** Delivery settings; {@link #defaults()} sequences but keeps no ID cache and never updates sessions. */
    public record Settings(
            int messageWaitMs,
            int idCacheTtlSeconds,
            int messageRate,
            int messageHwm,
            boolean updateOnFirstSubscription,
            long firstSubscriptionDelayMs,
            int subscriptionLingerSeconds) {
        public Settings(
                int messageWaitMs,
                int idCacheTtlSeconds,
                int messageRate,
                int messageHwm,
                boolean updateOnFirstSubscription,
                long firstSubscriptionDelayMs) {
            this(
                    messageWaitMs,
                    idCacheTtlSeconds,
                    messageRate,
                    messageHwm,
                    updateOnFirstSubscription,
                    firstSubscriptionDelayMs,
                    (int) SubscriberRegistry.LINGER_SECONDS);
        }

        public static Settings defaults() {
            return new Settings(5000, 0, -1, -1, false, 1000);
        }

        /**
         * The settings of {@code c}. {@code update_on_first_subscription} counts only when the configuration names it:
         * Pushpin runs these updates for its ZeroMQ SUB input, whose subscriptions take time to reach publishers,
         * and not for HTTP publishes, which reach the hub directly as all of Outpost's do.
         */
        public static Settings from(ProxyConfig c) {
            boolean update = c.updateOnFirstSubscription()
                    && c.setting("handler/update_on_first_subscription").isPresent();
            return new Settings(
                    c.messageWaitMs(),
                    c.idCacheTtlSeconds(),
                    c.messageRate(),
                    c.messageHwm(),
                    update,
                    1000,
                    c.subscriptionLingerSeconds());
        }

        /** As these, with {@code update_on_first_subscription} as given. */
        public Settings withUpdateOnFirstSubscription(boolean update) {
            return new Settings(
                    messageWaitMs,
                    idCacheTtlSeconds,
                    messageRate,
                    messageHwm,
                    update,
                    firstSubscriptionDelayMs,
                    subscriptionLingerSeconds);
        }
    }

    /** One delivery waiting for {@code message_rate}. */
    private record Paced(Entry entry, PublishItem item) {}

    private final Settings settings;
    private final Drops drops;
    private final Object lock = new Object();
    private final SubscriberRegistry registry;
    /** Guarded by lock. */
    private final Sequencer sequencer;
    /** Null without {@code message_rate}. Guarded by lock. */
    private final Pacer<Paced> pacer;

    private final Sequencer.Output output = new Output();
    /** Guarded by lock. */
    private ScheduledFuture<?> sequencerTimer;

    private long sequencerTimerAt;
    /** Guarded by lock. */
    private ScheduledFuture<?> pacerTimer;

    private volatile ScheduledExecutorService timers;
    private volatile boolean closed;
    /** Also told of wanted and emptied channels (a bus, a ZeroMQ SUB input). */
    private final SubscriberRegistry.Interest listener;
    /** False when the caller keeps time for the sequencer ({@link #offer}, {@link #expire}): a bus's clock. */
    private final boolean ownClock;

    /** A hub with {@link Settings#defaults()} that counts its drops on a registry of its own (tests, embedding). */
    public LocalChannelHub() {
        this(Settings.defaults(), new Drops(new SimpleMeterRegistry()));
    }

    public LocalChannelHub(Settings settings, Drops drops) {
        this(settings, drops, new SubscriberRegistry.Interest() {}, true);
    }

    /**
     * A hub whose wanted and emptied channels {@code listener} also hears (under the hub's lock: it must not block).
     * With {@code ownClock} false the sequencer's time is the caller's: items come in through {@link #offer} and
     * waits end through {@link #expire}, both with the caller's {@code now} (a bus hub passes the bus's clock, so that
     * every node decides alike, ADR 0006); {@link #publish} is then not to be used.
     */
    public LocalChannelHub(Settings settings, Drops drops, SubscriberRegistry.Interest listener, boolean ownClock) {
        this.settings = settings;
        this.drops = drops;
        this.listener = listener;
        this.ownClock = ownClock;
        this.registry = new SubscriberRegistry(
                lock, new Interest(), TimeUnit.SECONDS.toNanos(Math.max(0, settings.subscriptionLingerSeconds())));
        this.sequencer = new Sequencer(
                TimeUnit.MILLISECONDS.toNanos(Math.max(0, settings.messageWaitMs())),
                TimeUnit.SECONDS.toNanos(Math.max(0, settings.idCacheTtlSeconds())));
        this.pacer = settings.messageRate() > 0
                ? new Pacer<>(settings.messageRate(), settings.messageHwm(), System.nanoTime())
                : null;
    }

    private ScheduledExecutorService timers() {
        ScheduledExecutorService t = timers;
        if (t == null) {
            synchronized (lock) {
                t = timers;
                if (t == null) {
                    t = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform()
                            .daemon()
                            .name("outpost-hub-timers")
                            .factory());
                    timers = t;
                }
            }
        }
        return t;
    }

    /** Runs {@code task} on the timer thread after {@code nanos}; null when the hub is closing. */
    private ScheduledFuture<?> schedule(Runnable task, long nanos) {
        if (closed) {
            return null;
        }
        try {
            return timers().schedule(task, nanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException ex) {
            return null; // closing
        }
    }

    @Override
    public Subscription subscribe(String channel, Subscriber subscriber) {
        return registry.add(channel, subscriber, System.nanoTime());
    }

    /** What the registry says about this node's channels. Under lock. */
    private final class Interest implements SubscriberRegistry.Interest {
        @Override
        public void wanted(String channel) {
            listener.wanted(channel);
            if (settings.updateOnFirstSubscription()) {
                // the origin may have published between answering and this subscription: let its sessions catch up
                schedule(() -> update(channel), TimeUnit.MILLISECONDS.toNanos(settings.firstSubscriptionDelayMs()));
            }
        }

        @Override
        public void emptied(String channel) {
            sequencer.channelEmptied(channel);
            listener.emptied(channel);
        }
    }

    /** Asks the channel's sessions to update from their origins now (they may have missed items). */
    public void update(String channel) {
        Set<Entry> subs = registry.subscribers(channel);
        if (subs != null) {
            for (Entry e : subs) {
                FanOut.run(e, () -> e.subscriber().update());
            }
        }
    }

    @Override
    public void recover() {
        synchronized (lock) {
            sequencer.forgetLastIds();
        }
        for (Set<Entry> subs : registry.all()) {
            for (Entry e : subs) {
                FanOut.run(e, () -> e.subscriber().update());
            }
        }
    }

    @Override
    public String lastId(String channel) {
        synchronized (lock) {
            return sequencer.lastId(channel);
        }
    }

    @Override
    public void forgetLastId(String channel) {
        synchronized (lock) {
            sequencer.forgetLastId(channel);
        }
    }

    /**
     * Sequences {@code item} at {@code now} on the caller's clock, after ending the waits that end by then; then
     * fans it out. For a hub that does not keep its own time.
     */
    public void offer(PublishItem item, long now) {
        synchronized (lock) {
            sequencer.expire(now, output);
            if (registry.subscribers(item.channel()) != null) {
                sequencer.offer(item, now, output);
            }
        }
    }

    /**
     * Runs {@code release} under the hub's lock when {@code channel} has no subscriber, and then makes the channel's
     * next first subscriber wanted again (not lingering): for a bus that unsubscribes after the linger, so that no
     * subscriber can arrive between the check and the release unnoticed. Returns whether it ran.
     */
    public boolean releaseIfEmpty(String channel, Runnable release) {
        synchronized (lock) {
            if (registry.subscribers(channel) != null) {
                return false;
            }
            registry.forgetEmptied(channel);
            release.run();
            return true;
        }
    }

    /** Ends the waits that end by {@code now} on the caller's clock. */
    public void expire(long now) {
        synchronized (lock) {
            sequencer.expire(now, output);
        }
    }

    /** When the next wait ends on the sequencer's clock, or {@link Long#MAX_VALUE} when nothing waits. */
    public long nextDeadline() {
        synchronized (lock) {
            return sequencer.nextDeadline();
        }
    }

    /** The channels with items waiting for their predecessor. */
    public Set<String> waitingChannels() {
        synchronized (lock) {
            return sequencer.waitingChannels();
        }
    }

    /** Sequences and fans out every item before returning; the stage returned is already complete. */
    @Override
    public CompletionStage<Void> publish(List<PublishItem> items) {
        synchronized (lock) {
            long now = System.nanoTime();
            for (PublishItem item : items) {
                if (registry.subscribers(item.channel()) != null) {
                    sequencer.offer(item, now, output);
                }
            }
            armSequencerTimer();
        }
        return ACCEPTED;
    }

    /** Where the sequencer's decisions go. Under lock. */
    private final class Output implements Sequencer.Output {
        @Override
        public boolean send(PublishItem item) {
            Set<Entry> subs = registry.subscribers(item.channel());
            if (subs == null) {
                return false;
            }
            if (pacer == null) {
                FanOut.toAll(item, subs);
            } else {
                for (Entry e : subs) {
                    if (e.subscriber().format().in(item)) {
                        pace(e, item);
                    }
                }
            }
            return registry.subscribers(item.channel()) != null;
        }

        @Override
        public void drop(PublishItem item, String reason, String detail, boolean expected) {
            if (expected) {
                drops.quietDrop(reason, item.channel(), "*", detail);
            } else {
                drops.drop(reason, item.channel(), "*", detail);
            }
        }
    }

    /** Ends waits when the sequencer's next deadline comes. Under lock. */
    private void armSequencerTimer() {
        if (!ownClock) {
            return;
        }
        long next = sequencer.nextDeadline();
        if (next == Long.MAX_VALUE || (sequencerTimer != null && sequencerTimerAt - next <= 0)) {
            return;
        }
        if (sequencerTimer != null) {
            sequencerTimer.cancel(false);
        }
        sequencerTimerAt = next;
        sequencerTimer = schedule(
                () -> {
                    synchronized (lock) {
                        sequencerTimer = null;
                        sequencer.expire(System.nanoTime(), output);
                        armSequencerTimer();
                    }
                },
                Math.max(0, next - System.nanoTime()));
    }

    /** Queues one delivery for {@code message_rate}, or drops it past {@code message_hwm}. Under lock. */
    private void pace(Entry e, PublishItem item) {
        if (e.isClosed()) {
            return;
        }
        if (!pacer.offer(new Paced(e, item))) {
            drops.drop(
                    "message_hwm",
                    e.channel(),
                    e.subscriber().connectionId(),
                    "item " + item.id() + ": " + pacer.hwm() + " deliveries already wait (message_rate " + pacer.rate()
                            + "/s)");
            return;
        }
        releasePaced();
    }

    /** Sends what the rate allows now and schedules the rest. Under lock. */
    private void releasePaced() {
        pacer.release(System.nanoTime(), p -> FanOut.toOne(p.item(), p.entry()));
        long wait = pacer.nanosUntilNext();
        if (wait >= 0 && pacerTimer == null) {
            pacerTimer = schedule(
                    () -> {
                        synchronized (lock) {
                            pacerTimer = null;
                            releasePaced();
                        }
                    },
                    wait);
        }
    }

    @Override
    public int subscriberCount(String channel) {
        return registry.count(channel);
    }

    @Override
    public Set<String> channels() {
        return registry.channels();
    }

    @Override
    public Collection<Subscriber> subscribers(String channel) {
        Set<Entry> subs = registry.subscribers(channel);
        if (subs == null) {
            return List.of();
        }
        List<Subscriber> out = new ArrayList<>(subs.size());
        for (Entry e : subs) {
            if (!e.isClosed()) {
                out.add(e.subscriber());
            }
        }
        return out;
    }

    /** Items waiting for a predecessor on {@code channel} (for tests and stats). */
    public int parkedCount(String channel) {
        synchronized (lock) {
            return sequencer.parkedCount(channel);
        }
    }

    /** Stops the timers; waiting and paced deliveries are discarded. */
    @Override
    public void close() {
        closed = true;
        synchronized (lock) {
            sequencer.clear();
            if (pacer != null) {
                pacer.clear(p -> {});
            }
            if (sequencerTimer != null) {
                sequencerTimer.cancel(false);
                sequencerTimer = null;
            }
            if (pacerTimer != null) {
                pacerTimer.cancel(false);
                pacerTimer = null;
            }
        }
        ScheduledExecutorService t = timers;
        if (t != null) {
            t.shutdownNow();
        }
    }
}
