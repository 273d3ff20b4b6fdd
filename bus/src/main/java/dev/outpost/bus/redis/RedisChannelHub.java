package dev.outpost.bus.redis;

import dev.outpost.grip.publish.PublishFormatException;
import dev.outpost.grip.publish.PublishItem;
import dev.outpost.grip.publish.PublishParser;
import dev.outpost.grip.publish.PublishWriter;
import dev.outpost.proxy.HubFactory;
import dev.outpost.proxy.pubsub.BusStatus;
import dev.outpost.proxy.pubsub.ChannelHub;
import dev.outpost.proxy.pubsub.LocalChannelHub;
import dev.outpost.proxy.pubsub.Subscriber;
import dev.outpost.proxy.pubsub.SubscriberRegistry;
import dev.outpost.proxy.pubsub.Subscription;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ChannelHub} for one of many nodes on one Redis (issue #14, ADR 0006). Every publish goes to the bus, never
 * straight to local sessions; what arrives from the bus goes through a {@link LocalChannelHub} (the sequencer, the
 * pacer and the fan-out) whose clock is the bus's, so that every node drops the same duplicates and releases waiting
 * items in the same order. A wait that no later item ends is ended by a tick this node puts on the channel after
 * {@code message_wait}; the first tick in the stream ends it on every node.
 *
 * <p>A node subscribes on the bus to a channel when it gains its first subscriber and unsubscribes once the channel
 * has had none for {@code subscription_linger}. When Redis confirms a subscription the channel's sessions are updated
 * from their origins (Pushpin's {@code update_on_first_subscription}: items published before the subscription took
 * effect are not lost); after a reconnect, the channels' last IDs are forgotten as well.
 *
 * <p>A publish fails (503) when the bus is not connected, when {@code bus_queue_max} items already wait for it, and
 * when it does not confirm within {@code bus_timeout}.
 */
public final class RedisChannelHub implements ChannelHub, BusStatus {
    private static final Logger log = LoggerFactory.getLogger(RedisChannelHub.class);
    /** After a wait's end on the bus clock, how much later its tick goes out (timers are not exact). */
    private static final long TICK_MARGIN_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private final BusSettings bus;
    private final LocalChannelHub local;
    private final RedisBus redis;
    private final String prefix;
    private final String origin = UUID.randomUUID().toString().substring(0, 8);
    private final boolean updateOnFirstSubscription;
    private final long lingerNanos;
    private final ScheduledThreadPoolExecutor timers;
    /** When each channel lost its last subscriber (nanoTime), until its linger is over. */
    private final Map<String, Long> emptiedAt = new ConcurrentHashMap<>();
    /** Channels whose bus subscription was cut off and not yet confirmed again. */
    private final Set<String> cutOff = ConcurrentHashMap.newKeySet();

    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicLong in = new AtomicLong();
    private final AtomicLong out = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private volatile double lagMillis;
    /** The bus clock as this node last saw it, nanoseconds; never goes back. Read and written on the bus thread. */
    private long busNow;
    /** Guarded by this. */
    private ScheduledFuture<?> tickTimer;

    private volatile String publishError;

    private volatile boolean closed;

    /**
     * @param env      the proxy's settings, drops and loops
     * @param bus      the bus
     * @param listener also told of wanted and emptied channels (a ZeroMQ SUB input), or null
     */
    public RedisChannelHub(HubFactory.Env env, BusSettings bus, SubscriberRegistry.Interest listener) {
        this.bus = bus;
        this.prefix = "outpost:" + bus.uri().db() + ":";
        this.lingerNanos = TimeUnit.SECONDS.toNanos(env.config().subscriptionLingerSeconds());
        // Pushpin updates sessions on a first subscription for its SUB input, whose subscriptions take time, as the
        // bus's do; only an explicit update_on_first_subscription=false turns it off
        this.updateOnFirstSubscription = env.config().updateOnFirstSubscription();
        this.timers = new ScheduledThreadPoolExecutor(
                1, Thread.ofPlatform().daemon().name("outpost-bus-timers").factory());
        // Each publish's bus_timeout is cancelled when the bus confirms it: gone from the queue then, not a
        // bus_timeout later (a busy node would hold that long's worth of publishes).
        timers.setRemoveOnCancelPolicy(true);
        SubscriberRegistry.Interest extra = listener == null ? new SubscriberRegistry.Interest() {} : listener;
        this.local = new LocalChannelHub(
                LocalChannelHub.Settings.from(env.config()).withUpdateOnFirstSubscription(false),
                env.drops(),
                new Interest(extra),
                false);
        this.redis = new RedisBus(bus, new FromBus(), env.loops(), env.transport(), timers);
        redis.start();
        log.info("bus {}: node {} (channels prefixed '{}')", bus.uri(), origin, prefix);
    }

    /** This node's id on the bus. */
    public String origin() {
        return origin;
    }

    private String busName(String channel) {
        return prefix + channel;
    }

    /** What the local registry says, under the local hub's lock. */
    private final class Interest implements SubscriberRegistry.Interest {
        private final SubscriberRegistry.Interest extra;

        Interest(SubscriberRegistry.Interest extra) {
            this.extra = extra;
        }

        @Override
        public void wanted(String channel) {
            emptiedAt.remove(channel);
            redis.subscribe(busName(channel));
            extra.wanted(channel);
        }

        @Override
        public void emptied(String channel) {
            long at = System.nanoTime();
            emptiedAt.put(channel, at);
            schedule(() -> lingerOver(channel, at), lingerNanos);
            extra.emptied(channel);
        }
    }

    private void lingerOver(String channel, long at) {
        if (emptiedAt.remove(channel, at)) {
            // under the hub's lock: a subscriber that comes after this makes the channel wanted again
            local.releaseIfEmpty(channel, () -> redis.unsubscribe(busName(channel)));
        }
    }

    private ScheduledFuture<?> schedule(Runnable task, long nanos) {
        if (closed) {
            return null;
        }
        try {
            return timers.schedule(task, nanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            return null;
        }
    }

    /** Timers waiting to be due (for tests). */
    int pendingTimers() {
        return timers.getQueue().size();
    }

    @Override
    public Subscription subscribe(String channel, Subscriber subscriber) {
        return local.subscribe(channel, subscriber);
    }

    @Override
    public CompletionStage<Void> publish(List<PublishItem> items) {
        if (items.isEmpty()) {
            return CompletableFuture.completedStage(null);
        }
        if (closed) {
            return fail("the node is stopping");
        }
        if (!redis.canPublish()) {
            String why = redis.lastError();
            return fail("the bus " + bus.uri() + " is not connected" + (why == null ? "" : " (" + why + ")"));
        }
        int n = items.size();
        if (queued.addAndGet(n) > bus.queueMax()) {
            queued.addAndGet(-n);
            return fail("the bus " + bus.uri() + " is too slow: " + bus.queueMax()
                    + " items already wait for it (bus_queue_max)");
        }
        List<byte[]> pairs = new ArrayList<>(2 * n);
        for (PublishItem item : items) {
            pairs.add(busName(item.channel()).getBytes(StandardCharsets.UTF_8));
            pairs.add(BusMessage.body(BusMessage.ITEM, origin, PublishWriter.write(List.of(item))));
        }
        CompletableFuture<Void> result = new CompletableFuture<>();
        ScheduledFuture<?> timeout = schedule(
                () -> {
                    if (result.completeExceptionally(new BusUnavailableException("the bus " + bus.uri()
                            + " did not confirm within " + bus.timeoutMs() + " ms (bus_timeout)"))) {
                        failures.incrementAndGet();
                    }
                },
                TimeUnit.MILLISECONDS.toNanos(bus.timeoutMs()));
        redis.publish(pairs).whenComplete((receivers, err) -> {
            queued.addAndGet(-n);
            if (timeout != null) {
                timeout.cancel(false);
            }
            if (err == null) {
                out.addAndGet(n);
                result.complete(null);
            } else {
                publishError = String.valueOf(err.getMessage());
                if (result.completeExceptionally(new BusUnavailableException(
                        "the bus " + bus.uri() + " did not take the items: " + err.getMessage()))) {
                    failures.incrementAndGet();
                }
            }
        });
        return result;
    }

    private CompletionStage<Void> fail(String message) {
        failures.incrementAndGet();
        return CompletableFuture.failedStage(new BusUnavailableException(message));
    }

    /** What Redis hands this node, on the subscribing connection's event loop, in the bus's order. */
    private final class FromBus implements RedisBus.Listener {
        @Override
        public void message(String busChannel, byte[] message) {
            if (!busChannel.startsWith(prefix)) {
                return;
            }
            BusMessage m;
            try {
                m = BusMessage.parse(message);
            } catch (IllegalArgumentException e) {
                log.warn("bus {}: message on {} ignored: {}", bus.uri(), busChannel, e.getMessage());
                return;
            }
            lagMillis = Math.max(0, System.currentTimeMillis() - m.busMicros() / 1000.0);
            busNow = Math.max(busNow, m.busMicros() * 1000);
            if (m.kind() == BusMessage.TICK) {
                local.expire(busNow);
            } else {
                in.incrementAndGet();
                String channel = busChannel.substring(prefix.length());
                if (local.subscriberCount(channel) == 0) {
                    local.expire(busNow);
                } else {
                    PublishItem item;
                    try {
                        List<PublishItem> items = PublishParser.parse(m.payload());
                        item = items.get(0);
                    } catch (PublishFormatException | IndexOutOfBoundsException e) {
                        log.warn("bus {}: item from node {} ignored: {}", bus.uri(), m.origin(), e.getMessage());
                        return;
                    }
                    local.offer(item, busNow);
                }
            }
            armTicks();
        }

        @Override
        public void subscribed(String busChannel) {
            String channel = busChannel.substring(prefix.length());
            if (cutOff.remove(channel)) {
                // items went by while cut off: what this node knew of the channel is stale
                local.forgetLastId(channel);
                local.update(channel);
            } else if (updateOnFirstSubscription) {
                local.update(channel);
            }
        }

        @Override
        public void cutOff() {
            cutOff.addAll(local.channels());
        }
    }

    /** Puts a tick on each channel with a waiting item once its wait is over on the bus clock. */
    private synchronized void armTicks() {
        long next = local.nextDeadline();
        if (next == Long.MAX_VALUE || tickTimer != null) {
            return;
        }
        long delay = Math.max(0, next - busNow) + TICK_MARGIN_NANOS;
        tickTimer = schedule(this::tick, delay);
    }

    private void tick() {
        synchronized (this) {
            tickTimer = null;
        }
        Set<String> waiting = local.waitingChannels();
        if (waiting.isEmpty() || !redis.canPublish()) {
            if (!waiting.isEmpty()) {
                // try again once the bus is back
                synchronized (this) {
                    tickTimer = schedule(this::tick, TimeUnit.SECONDS.toNanos(1));
                }
            }
            return;
        }
        List<byte[]> pairs = new ArrayList<>();
        for (String channel : waiting) {
            pairs.add(busName(channel).getBytes(StandardCharsets.UTF_8));
            pairs.add(BusMessage.body(BusMessage.TICK, origin, new byte[0]));
        }
        redis.publish(pairs).whenComplete((n, err) -> {
            if (err != null) {
                log.debug("bus {}: tick not sent: {}", bus.uri(), err.toString());
            }
        });
    }

    @Override
    public int subscriberCount(String channel) {
        return local.subscriberCount(channel);
    }

    @Override
    public Set<String> channels() {
        return local.channels();
    }

    @Override
    public Collection<Subscriber> subscribers(String channel) {
        return local.subscribers(channel);
    }

    @Override
    public String lastId(String channel) {
        return local.lastId(channel);
    }

    @Override
    public void forgetLastId(String channel) {
        local.forgetLastId(channel);
    }

    /** This node's sessions only: each node has its own {@code recover}, as each Pushpin instance does. */
    @Override
    public void recover() {
        local.recover();
    }

    @Override
    public Optional<BusStatus> bus() {
        return Optional.of(this);
    }

    // ---- BusStatus ----

    @Override
    public String uri() {
        return bus.uri().display();
    }

    @Override
    public boolean connected() {
        return redis.connected();
    }

    @Override
    public long messagesIn() {
        return in.get();
    }

    @Override
    public long messagesOut() {
        return out.get();
    }

    @Override
    public long publishFailures() {
        return failures.get();
    }

    @Override
    public int queued() {
        return Math.max(0, queued.get());
    }

    @Override
    public double lagMillis() {
        return lagMillis;
    }

    @Override
    public int busChannels() {
        return redis.subscriptions();
    }

    @Override
    public String lastError() {
        String e = redis.lastError();
        return e != null ? e : publishError;
    }

    /** Items waiting for a predecessor on {@code channel} (tests). */
    public int parkedCount(String channel) {
        return local.parkedCount(channel);
    }

    @Override
    public void close() {
        closed = true;
        redis.close();
        timers.shutdownNow();
        local.close();
    }
}
