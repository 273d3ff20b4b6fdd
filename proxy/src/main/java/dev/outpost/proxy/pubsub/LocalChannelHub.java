package dev.outpost.proxy.pubsub;

import dev.outpost.grip.publish.HttpResponseFormat;
import dev.outpost.grip.publish.HttpStreamFormat;
import dev.outpost.grip.publish.PublishItem;
import dev.outpost.grip.publish.WsMessageFormat;
import dev.outpost.proxy.config.ProxyConfig;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.EventExecutor;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The in-process {@link ChannelHub}: one JVM, no bus. Each item is encoded once per format and every subscriber gets
 * a {@code retainedDuplicate()} of that buffer.
 *
 * <p>Before fan-out, as Pushpin's handler ({@code handler/sequencer.cpp}, {@code handlerengine.cpp}):
 * <ul>
 * <li>an item whose ID was seen on the channel within {@code id_cache_ttl} is dropped;</li>
 * <li>an item whose {@code prev-id} is not the channel's last ID waits up to {@code message_wait} for its
 * predecessor (at most {@value #PARKED_MAX} per channel), then goes out in chain order or alone on timeout;
 * {@code no-seq} items skip this;</li>
 * <li>the channel's last ID becomes the item's ID (an item without one clears it). Last IDs are kept only while
 * the channel has subscribers.</li>
 * </ul>
 * Deliveries are paced by {@code message_rate} per second; past {@code message_hwm} waiting deliveries, more are
 * dropped and reported to {@link Drops}.
 *
 * <p>Thread safety: sequencing state is guarded by the hub's lock, which is also held while deliveries are handed to
 * the subscribers' executors, so that each subscriber sees a channel's items in order.
 */
public final class LocalChannelHub implements ChannelHub, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LocalChannelHub.class);
    /** Items waiting for their predecessor, per channel (Pushpin's PENDING_ITEMS_MAX). */
    static final int PARKED_MAX = 100;
    /** A channel subscribed again within this time is not "first subscribed" (Pushpin's subscription linger). */
    static final long LINGER_NANOS = TimeUnit.SECONDS.toNanos(60);

    /** Delivery settings; {@link #defaults()} sequences but keeps no ID cache and never updates sessions. */
    public record Settings(
            int messageWaitMs,
            int idCacheTtlSeconds,
            int messageRate,
            int messageHwm,
            boolean updateOnFirstSubscription,
            long firstSubscriptionDelayMs) {
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
                    c.messageWaitMs(), c.idCacheTtlSeconds(), c.messageRate(), c.messageHwm(), update, 1000);
        }
    }

    private final Settings settings;
    private final Drops drops;
    private final Map<String, Set<Entry>> channels = new ConcurrentHashMap<>();
    private final Object lock = new Object();
    /** Guarded by lock. */
    private final Map<String, String> lastIds = new HashMap<>();
    /** channel + NUL + id → expiry (nanoTime), in insertion order so expired entries sit at the head. Guarded by lock. */
    private final LinkedHashMap<String, Long> idCache = new LinkedHashMap<>();
    /** Guarded by lock. */
    private final Map<String, List<Parked>> parked = new HashMap<>();
    /** When each channel last lost its last subscriber. Guarded by lock. */
    private final Map<String, Long> emptiedAt = new HashMap<>();
    /** Deliveries waiting for message_rate. Guarded by lock. */
    private final ArrayDeque<Paced> paced = new ArrayDeque<>();

    private double tokens;
    private long tokensAt = System.nanoTime();
    private ScheduledFuture<?> pacer;
    private volatile ScheduledExecutorService timers;
    private volatile boolean closed;

    public LocalChannelHub() {
        this(Settings.defaults(), Drops.global());
    }

    public LocalChannelHub(Settings settings, Drops drops) {
        this.settings = settings;
        this.drops = drops;
        this.tokens = burst();
    }

    public Drops drops() {
        return drops;
    }

    private ScheduledExecutorService timers() {
        ScheduledExecutorService t = timers;
        if (t == null) {
            synchronized (lock) {
                t = timers;
                if (t == null) {
                    t = Executors.newSingleThreadScheduledExecutor(r -> {
                        Thread th = new Thread(r, "outpost-hub-timers");
                        th.setDaemon(true);
                        return th;
                    });
                    timers = t;
                }
            }
        }
        return t;
    }

    @Override
    public Subscription subscribe(String channel, Subscriber subscriber) {
        Entry e = new Entry(channel, subscriber);
        boolean first;
        synchronized (lock) {
            Set<Entry> s = channels.computeIfAbsent(channel, k -> ConcurrentHashMap.newKeySet());
            first = s.isEmpty();
            s.add(e);
            if (first) {
                Long at = emptiedAt.remove(channel);
                first = at == null || System.nanoTime() - at > LINGER_NANOS;
            }
        }
        if (first && settings.updateOnFirstSubscription() && !closed) {
            // the origin may have published between answering and this subscription: let its sessions catch up
            try {
                timers().schedule(
                                () -> updateChannel(channel),
                                settings.firstSubscriptionDelayMs(),
                                TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException ex) {
                // closing
            }
        }
        return e;
    }

    private void updateChannel(String channel) {
        Set<Entry> subs = channels.get(channel);
        if (subs == null) {
            return;
        }
        for (Entry e : subs) {
            runOn(e, () -> e.subscriber.update());
        }
    }

    @Override
    public void recover() {
        synchronized (lock) {
            lastIds.clear();
        }
        for (Set<Entry> subs : channels.values()) {
            for (Entry e : subs) {
                runOn(e, () -> e.subscriber.update());
            }
        }
    }

    @Override
    public String lastId(String channel) {
        synchronized (lock) {
            return lastIds.get(channel);
        }
    }

    @Override
    public void forgetLastId(String channel) {
        synchronized (lock) {
            lastIds.remove(channel);
        }
    }

    @Override
    public void publish(List<PublishItem> items) {
        synchronized (lock) {
            for (PublishItem item : items) {
                sequence(item);
            }
        }
    }

    /** De-dup, then send now or park until the predecessor arrives. Holds lock. */
    private void sequence(PublishItem item) {
        String channel = item.channel();
        Set<Entry> subs = channels.get(channel);
        if (subs == null || subs.isEmpty()) {
            return;
        }
        if (item.id() != null && settings.idCacheTtlSeconds() > 0) {
            long now = System.nanoTime();
            expireIds(now);
            String key = channel + '\0' + item.id();
            if (idCache.containsKey(key)) {
                drops.quietDrop("duplicate_id", channel, "*", "item " + item.id() + " already published");
                return;
            }
            idCache.put(key, now + TimeUnit.SECONDS.toNanos(settings.idCacheTtlSeconds()));
        }
        if (!item.noSeq() && item.prevId() != null && settings.messageWaitMs() > 0) {
            String last = lastIds.get(channel);
            if (last != null && !last.equals(item.prevId())) {
                park(item);
                return;
            }
        }
        send(item);
    }

    private void expireIds(long now) {
        Iterator<Map.Entry<String, Long>> it = idCache.entrySet().iterator();
        while (it.hasNext()) {
            if (it.next().getValue() - now > 0) {
                break;
            }
            it.remove();
        }
    }

    private void park(PublishItem item) {
        List<Parked> list = parked.computeIfAbsent(item.channel(), k -> new ArrayList<>());
        for (Parked p : list) {
            if (p.item.prevId().equals(item.prevId())) {
                drops.quietDrop(
                        "sequence_duplicate",
                        item.channel(),
                        "*",
                        "item " + item.id() + " waits behind another with prev-id " + item.prevId());
                return;
            }
        }
        if (list.size() >= PARKED_MAX) {
            drops.drop(
                    "sequence_buffer",
                    item.channel(),
                    "*",
                    "item " + item.id() + ": " + PARKED_MAX + " items already wait for their predecessors");
            return;
        }
        Parked p = new Parked(item);
        list.add(p);
        log.debug(
                "item {} on {} waits for {} (last id {})",
                item.id(),
                item.channel(),
                item.prevId(),
                lastIds.get(item.channel()));
        try {
            p.timer = timers().schedule(() -> expire(p), settings.messageWaitMs(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException ex) {
            list.remove(p);
        }
    }

    private void expire(Parked p) {
        synchronized (lock) {
            List<Parked> list = parked.get(p.item.channel());
            if (list == null || !list.remove(p)) {
                return;
            }
            if (list.isEmpty()) {
                parked.remove(p.item.channel());
            }
            log.debug("item {} on {} sent without its predecessor {}", p.item.id(), p.item.channel(), p.item.prevId());
            send(p.item);
        }
    }

    /** Fans out, moves the last ID on, and releases the items that waited for this one. Holds lock. */
    private void send(PublishItem item) {
        PublishItem next = item;
        while (next != null) {
            String channel = next.channel();
            fanOut(next);
            if (channels.containsKey(channel)) {
                if (next.id() != null) {
                    lastIds.put(channel, next.id());
                } else {
                    lastIds.remove(channel);
                }
            }
            next = next.id() == null ? null : unpark(channel, next.id());
        }
    }

    private PublishItem unpark(String channel, String id) {
        List<Parked> list = parked.get(channel);
        if (list == null) {
            return null;
        }
        for (Iterator<Parked> it = list.iterator(); it.hasNext(); ) {
            Parked p = it.next();
            if (p.item.prevId().equals(id)) {
                it.remove();
                if (p.timer != null) {
                    p.timer.cancel(false);
                }
                if (list.isEmpty()) {
                    parked.remove(channel);
                }
                return p.item;
            }
        }
        return null;
    }

    private void fanOut(PublishItem item) {
        Set<Entry> subs = channels.get(item.channel());
        if (subs == null || subs.isEmpty()) {
            return;
        }
        Map<DeliveryFormat, ByteBuf> encoded = new EnumMap<>(DeliveryFormat.class);
        // the http-stream content framed once as an HTTP/1.1 chunk, for streams that write it unchanged
        ByteBuf chunk = null;
        // unpaced: one task per event loop carrying its subscribers, not one per subscriber
        Map<EventExecutor, Batch> batches = settings.messageRate() <= 0 ? new IdentityHashMap<>() : null;
        try {
            for (Entry e : subs) {
                DeliveryFormat f = e.subscriber.format();
                ByteBuf buf = encoded.get(f);
                if (buf == null) {
                    if (!encoded.containsKey(f)) {
                        if (f == DeliveryFormat.HTTP_STREAM
                                && item.httpStream() != null
                                && item.httpStream().content() != null
                                && item.httpStream().content().length > 0) {
                            chunk = StreamChunk.frame(item.httpStream().content());
                            int len = item.httpStream().content().length;
                            buf = chunk.retainedSlice(StreamChunk.headerLength(len), len);
                        } else {
                            buf = encode(item, f);
                        }
                        encoded.put(f, buf);
                    }
                    if (buf == null) {
                        continue;
                    }
                }
                if (batches == null) {
                    deliver(e, item, buf.retainedDuplicate());
                } else if (!e.isClosed()) {
                    Batch b = batches.computeIfAbsent(e.subscriber.executor(), x -> new Batch(item));
                    if (f != DeliveryFormat.HTTP_STREAM) {
                        b.add(e, buf.retainedDuplicate());
                    } else {
                        if (b.stream == null) {
                            b.stream = buf.retain();
                            b.chunk = chunk == null ? null : chunk.retain();
                        }
                        b.add(e, null);
                    }
                }
            }
        } finally {
            if (batches != null) {
                batches.forEach(LocalChannelHub::submit);
            }
            for (ByteBuf b : encoded.values()) {
                if (b != null) {
                    b.release();
                }
            }
            if (chunk != null) {
                chunk.release();
            }
        }
    }

    /** Returns the payload of {@code f}, or null when the item does not carry that format. */
    private static ByteBuf encode(PublishItem item, DeliveryFormat f) {
        byte[] bytes;
        switch (f) {
            case HTTP_RESPONSE -> {
                HttpResponseFormat r = item.httpResponse();
                if (r == null) {
                    return null;
                }
                bytes = r.body();
            }
            case HTTP_STREAM -> {
                HttpStreamFormat s = item.httpStream();
                if (s == null) {
                    return null;
                }
                bytes = s.content();
            }
            case WS_MESSAGE -> {
                WsMessageFormat w = item.wsMessage();
                if (w == null) {
                    return null;
                }
                bytes = w.content();
            }
            default -> throw new IllegalStateException(f.toString());
        }
        return bytes == null || bytes.length == 0 ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(bytes);
    }

    private void deliver(Entry e, PublishItem item, ByteBuf payload) {
        if (e.isClosed()) {
            payload.release();
            return;
        }
        Paced r = new Paced(e, item, payload);
        if (settings.messageRate() <= 0) {
            r.run();
            return;
        }
        if (settings.messageHwm() > 0 && paced.size() >= settings.messageHwm()) {
            payload.release();
            drops.drop(
                    "message_hwm",
                    e.channel,
                    e.subscriber.connectionId(),
                    "item " + item.id() + ": " + settings.messageHwm() + " deliveries already wait (message_rate "
                            + settings.messageRate() + "/s)");
            return;
        }
        paced.add(r);
        pace();
    }

    private double burst() {
        return Math.max(1, settings.messageRate() / 10.0);
    }

    /** Sends as many paced deliveries as the rate allows and schedules the rest. Holds lock. */
    private void pace() {
        long now = System.nanoTime();
        tokens = Math.min(burst(), tokens + (now - tokensAt) * settings.messageRate() / 1e9);
        tokensAt = now;
        while (tokens >= 1 && !paced.isEmpty()) {
            tokens -= 1;
            paced.poll().run();
        }
        if (!paced.isEmpty() && pacer == null && !closed) {
            long waitNanos = (long) Math.ceil((1 - tokens) * 1e9 / settings.messageRate());
            try {
                pacer = timers().schedule(
                                () -> {
                                    synchronized (lock) {
                                        pacer = null;
                                        pace();
                                    }
                                },
                                Math.max(1_000_000L, waitNanos),
                                TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException ex) {
                // closing
            }
        }
    }

    private static void submit(EventExecutor executor, Batch batch) {
        try {
            executor.execute(batch);
        } catch (RejectedExecutionException ex) {
            batch.releaseAll();
        }
    }

    /**
     * One item's deliveries to the subscribers of one event loop, in subscription order. Http-stream subscribers are
     * lent {@link #stream} and {@link #chunk} when the batch runs; others carry their own payload.
     */
    private static final class Batch implements Runnable {
        final PublishItem item;
        /** The http-stream payload, one reference for the batch; null when no subscriber takes that format. */
        ByteBuf stream;
        /** {@link #stream} framed as one chunk, one reference for the batch; may be null. */
        ByteBuf chunk;
        /** {@link #chunk} is this batch's own copy. */
        boolean copied;

        final ArrayList<Entry> entries = new ArrayList<>();
        /** Per entry: its own payload, or null for an http-stream subscriber. */
        final ArrayList<ByteBuf> payloads = new ArrayList<>();

        Batch(PublishItem item) {
            this.item = item;
        }

        void add(Entry e, ByteBuf payload) {
            entries.add(e);
            payloads.add(payload);
        }

        @Override
        public void run() {
            try {
                for (int i = 0; i < entries.size(); i++) {
                    Entry e = entries.get(i);
                    ByteBuf payload = payloads.get(i);
                    if (e.isClosed()) {
                        if (payload != null) {
                            payload.release();
                        }
                        continue;
                    }
                    try {
                        if (payload == null) {
                            e.subscriber.receiveShared(e.channel, item, stream, localChunk());
                        } else {
                            e.subscriber.receive(e.channel, item, payload);
                        }
                    } catch (RuntimeException ex) {
                        log.warn("subscriber on channel {} failed", e.channel, ex);
                    }
                }
            } finally {
                releaseShared();
            }
        }

        /**
         * This loop's own copy of the chunk: the streams' writes retain and release it once per delivery, and on a
         * reference count shared by all loops those updates would contend between cores.
         */
        private ByteBuf localChunk() {
            if (chunk != null && !copied) {
                ByteBuf own = ByteBufAllocator.DEFAULT.directBuffer(chunk.readableBytes());
                own.writeBytes(chunk, chunk.readerIndex(), chunk.readableBytes());
                chunk.release();
                chunk = own;
                copied = true;
            }
            return chunk;
        }

        void releaseAll() {
            for (ByteBuf b : payloads) {
                if (b != null) {
                    b.release();
                }
            }
            releaseShared();
        }

        private void releaseShared() {
            if (stream != null) {
                stream.release();
            }
            if (chunk != null) {
                chunk.release();
            }
        }
    }

    private static void runOn(Entry e, Runnable task) {
        try {
            e.subscriber.executor().execute(() -> {
                if (!e.isClosed()) {
                    try {
                        task.run();
                    } catch (RuntimeException ex) {
                        log.warn("subscriber on channel {} failed", e.channel, ex);
                    }
                }
            });
        } catch (RejectedExecutionException ex) {
            // the session's loop is gone
        }
    }

    private static void runOn(Entry e, ByteBuf payload, Runnable task) {
        if (e.isClosed()) {
            payload.release();
            return;
        }
        try {
            e.subscriber.executor().execute(() -> {
                if (e.isClosed()) {
                    payload.release();
                    return;
                }
                try {
                    task.run();
                } catch (RuntimeException ex) {
                    log.warn("subscriber on channel {} failed", e.channel, ex);
                }
            });
        } catch (RejectedExecutionException ex) {
            payload.release();
        }
    }

    @Override
    public int subscriberCount(String channel) {
        Set<Entry> s = channels.get(channel);
        return s == null ? 0 : s.size();
    }

    @Override
    public Set<String> channels() {
        return Set.copyOf(channels.keySet());
    }

    /** Items waiting for a predecessor on {@code channel} (for tests and stats). */
    public int parkedCount(String channel) {
        synchronized (lock) {
            List<Parked> l = parked.get(channel);
            return l == null ? 0 : l.size();
        }
    }

    /** Stops the timers; parked and paced deliveries are discarded. */
    @Override
    public void close() {
        closed = true;
        synchronized (lock) {
            for (List<Parked> l : parked.values()) {
                for (Parked p : l) {
                    if (p.timer != null) {
                        p.timer.cancel(false);
                    }
                }
            }
            parked.clear();
            // their payloads may be direct buffers (a shared chunk's slices): give them back
            Paced p;
            while ((p = paced.poll()) != null) {
                p.payload.release();
            }
        }
        ScheduledExecutorService t = timers;
        if (t != null) {
            t.shutdownNow();
        }
    }

    /** One delivery waiting for {@code message_rate}; owns its payload until run. */
    private record Paced(Entry e, PublishItem item, ByteBuf payload) implements Runnable {
        @Override
        public void run() {
            runOn(e, payload, () -> e.subscriber.receive(e.channel, item, payload));
        }
    }

    private static final class Parked {
        final PublishItem item;
        ScheduledFuture<?> timer;

        Parked(PublishItem item) {
            this.item = item;
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

    private final class Entry implements Subscription {
        final String channel;
        final Subscriber subscriber;
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

        boolean isClosed() {
            return closed;
        }

        @Override
        public void close() {
            if (CLOSED.compareAndSet(this, false, true)) {
                synchronized (lock) {
                    Set<Entry> set = channels.get(channel);
                    if (set != null) {
                        set.remove(this);
                        if (set.isEmpty()) {
                            channels.remove(channel);
                            lastIds.remove(channel);
                            long now = System.nanoTime();
                            if (emptiedAt.size() >= 10_000) {
                                // unique channels come and go: forget those past the linger time
                                emptiedAt.values().removeIf(t -> now - t > LINGER_NANOS);
                            }
                            emptiedAt.put(channel, now);
                            List<Parked> l = parked.remove(channel);
                            if (l != null) {
                                l.forEach(p -> {
                                    if (p.timer != null) {
                                        p.timer.cancel(false);
                                    }
                                });
                            }
                        }
                    }
                }
            }
        }
    }
}
