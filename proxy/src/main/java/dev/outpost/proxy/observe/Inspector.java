package dev.outpost.proxy.observe;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.outpost.grip.instruct.GripInstruct;
import dev.outpost.grip.publish.PublishItem;
import dev.outpost.proxy.pubsub.BusStatus;
import dev.outpost.proxy.pubsub.ChannelHub;
import dev.outpost.proxy.pubsub.Drops;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.DefaultHttpContent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The observer behind metrics and the inspector. Hooks only count and enqueue: the {@link Model} is updated on one
 * thread of its own, which also sends the live feed every {@value #TICK_MILLIS} ms (one coalesced batch per tick).
 * When the proxy produces events faster than that thread takes them, events are shed (counted) and the counters
 * stay right.
 */
public final class Inspector implements ProxyObserver, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Inspector.class);
    static final long TICK_MILLIS = 250;
    static final int FEED_EVENTS_PER_TICK = 300;
    static final int QUEUE = 100_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ChannelHub hub;
    private final ProxyMetrics metrics;
    private final Model model;
    private final ScheduledThreadPoolExecutor thread;
    private final ArrayBlockingQueue<Runnable> queue = new ArrayBlockingQueue<>(QUEUE);
    private final AtomicLong shed = new AtomicLong();
    private final Set<Channel> feeds = new CopyOnWriteArraySet<>();
    private long lastTickNanos = System.nanoTime();
    private final Drops.Listener dropListener = this::hubDropped;
    private final List<Drops> watched = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    /**
     * @param hub    the hub that delivers (for subscription counts)
     * @param prefix {@code prometheus_prefix}, or null
     */
    public Inspector(ChannelHub hub, String prefix) {
        this.hub = hub;
        Model.Counts counts = new Model.Counts();
        this.metrics = new ProxyMetrics(
                prefix, counts, h -> subscriptions(), h -> hub.channels().size(), hub);
        this.model = new Model(metrics, counts);
        hub.bus().ifPresent(metrics::bus);
        this.thread = new ScheduledThreadPoolExecutor(
                1, Thread.ofPlatform().daemon().name("outpost-inspector").factory());
        thread.scheduleWithFixedDelay(this::drainAndTick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
        thread.scheduleWithFixedDelay(this::drain, 20, 20, TimeUnit.MILLISECONDS);
    }

    public ProxyMetrics metrics() {
        return metrics;
    }

    private double subscriptions() {
        long n = 0;
        for (String c : hub.channels()) {
            n += hub.subscriberCount(c);
        }
        return n;
    }

    private void enqueue(Runnable r) {
        if (closed || !queue.offer(r)) {
            shed.incrementAndGet();
        }
    }

    private void drain() {
        Runnable r;
        int n = 0;
        while (n++ < 50_000 && (r = queue.poll()) != null) {
            try {
                r.run();
            } catch (RuntimeException e) {
                log.warn("inspector update failed", e);
            }
        }
    }

    /** Runs {@code f} on the model's thread after every event queued so far. */
    <T> CompletableFuture<T> query(Callable<T> f) {
        CompletableFuture<T> out = new CompletableFuture<>();
        thread.execute(() -> {
            drain();
            try {
                out.complete(f.call());
            } catch (Exception e) {
                out.completeExceptionally(e);
            }
        });
        return out;
    }

    // ---- hooks ----

    @Override
    public void connectionOpened(String connId, String transport, String peer) {
        long now = System.currentTimeMillis();
        enqueue(() -> model.opened(connId, transport, peer, now));
    }

    @Override
    public void connectionClosed(String connId) {
        long now = System.currentTimeMillis();
        enqueue(() -> model.closed(connId, now));
    }

    @Override
    public void transportChanged(String connId, String transport) {
        long now = System.currentTimeMillis();
        enqueue(() -> model.transport(connId, transport, now));
    }

    @Override
    public void requestReceived(String connId, String method, String uri) {
        metrics.requestReceived.increment();
        long now = System.currentTimeMillis();
        long nanos = System.nanoTime();
        enqueue(() -> model.request(connId, method, uri, now, nanos));
    }

    @Override
    public void originResponse(String connId, String route, String target, int status) {
        long now = System.currentTimeMillis();
        long nanos = System.nanoTime();
        enqueue(() -> model.origin(connId, route, target, status, now, nanos));
    }

    @Override
    public void holdStarted(String connId, String mode, List<String> channels, GripInstruct instruct) {
        long now = System.currentTimeMillis();
        List<String> chs = List.copyOf(channels);
        enqueue(() -> model.holdStarted(connId, mode, chs, instruct, now));
    }

    @Override
    public void holdEnded(String connId, String reason) {
        long now = System.currentTimeMillis();
        enqueue(() -> model.holdEnded(connId, reason, now));
    }

    @Override
    public void subscribed(String connId, String channel) {
        long now = System.currentTimeMillis();
        enqueue(() -> model.subscribed(connId, channel, now));
    }

    @Override
    public void unsubscribed(String connId, String channel) {
        long now = System.currentTimeMillis();
        enqueue(() -> model.unsubscribed(connId, channel, now));
    }

    @Override
    public void metaChanged(String connId, Map<String, String> meta) {
        long now = System.currentTimeMillis();
        Map<String, String> m = Map.copyOf(meta);
        enqueue(() -> model.meta(connId, m, now));
    }

    @Override
    public void publishReceived(PublishItem item) {
        metrics.messageReceived.increment();
        long now = System.currentTimeMillis();
        long nanos = System.nanoTime();
        int subs = hub.subscriberCount(item.channel());
        enqueue(() -> model.publish(item, subs, now, nanos));
    }

    @Override
    public void delivered(String connId, String channel, PublishItem item) {
        long now = System.currentTimeMillis();
        long nanos = System.nanoTime();
        enqueue(() -> model.delivered(connId, channel, item, now, nanos));
    }

    @Override
    public void notDelivered(String connId, String channel, PublishItem item, DropReason reason) {
        long now = System.currentTimeMillis();
        enqueue(() -> model.notDelivered(connId, channel, item, reason, now));
    }

    @Override
    public void acted(String connId, String channel, PublishItem item, String action) {
        long now = System.currentTimeMillis();
        enqueue(() -> model.acted(connId, channel, item, action, now));
    }

    @Override
    public void forwardedFor(String connId, String value) {
        enqueue(() -> model.forwardedFor(connId, value));
    }

    @Override
    public void keepAliveSent(String connId) {
        enqueue(() -> model.keepAlive(connId));
    }

    @Override
    public void edgeRequest(String method, String path, int status, long millis, String handoff) {
        long now = System.currentTimeMillis();
        enqueue(() -> model.edge(method, path, status, millis, handoff, now));
    }

    /** Shows the drops {@code drops} counts (rate limits, sequencing, duplicates, limits) as events. */
    public void watch(Drops drops) {
        drops.addListener(dropListener);
        watched.add(drops);
    }

    private void hubDropped(String reason, String channel, String connection, String detail) {
        long now = System.currentTimeMillis();
        enqueue(() -> model.hubDrop(reason, channel, connection, detail, now));
    }

    // ---- live feed ----

    void addFeed(Channel ch) {
        feeds.add(ch);
        ch.closeFuture().addListener(f -> feeds.remove(ch));
    }

    private void drainAndTick() {
        drain();
        long nanos = System.nanoTime();
        model.counts.connectionMinutes += model.connections.open.size() * ((nanos - lastTickNanos) / 60e9);
        lastTickNanos = nanos;
        EventLog feed = model.events;
        if (feeds.isEmpty()) {
            feed.tickDone();
            return;
        }
        Map<String, Object> batch = new LinkedHashMap<>();
        batch.put("t", System.currentTimeMillis());
        batch.put("summary", summary());
        batch.put("events", new ArrayList<>(feed.fresh));
        long lost = feed.freshSkipped + shed.getAndSet(0);
        if (lost > 0) {
            batch.put("skipped", lost);
        }
        if (feed.keepAlivesSinceTick > 0) {
            batch.put(
                    "keepAlives",
                    Map.of("count", feed.keepAlivesSinceTick, "sample", List.copyOf(feed.keepAliveSample)));
        }
        feed.tickDone();
        byte[] data;
        try {
            data = ("event: batch\ndata: " + JSON.writeValueAsString(batch) + "\n\n").getBytes(StandardCharsets.UTF_8);
        } catch (Exception e) {
            log.warn("inspector feed could not be encoded", e);
            return;
        }
        for (Channel ch : feeds) {
            // a feed that does not keep up misses batches rather than piling them up
            if (ch.isActive() && ch.isWritable()) {
                ch.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(data)));
            }
        }
    }

    // ---- queries (model thread) ----

    Map<String, Object> summary() {
        Map<String, Object> s =
                model.views.summary((int) subscriptions(), hub.channels().size(), feeds.size());
        hub.bus().ifPresent(b -> s.put("bus", busSummary(b)));
        return s;
    }

    /** The bus as the summary shows it (issue #14). */
    static Map<String, Object> busSummary(BusStatus b) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("uri", b.uri());
        m.put("connected", b.connected());
        m.put("messagesIn", b.messagesIn());
        m.put("messagesOut", b.messagesOut());
        m.put("queued", b.queued());
        m.put("lagMillis", b.lagMillis());
        m.put("channels", b.busChannels());
        m.put("publishFailures", b.publishFailures());
        m.put("lastError", b.lastError());
        return m;
    }

    Map<String, Object> connections(int offset, int limit, String q, String kind) {
        String needle = q == null || q.isBlank() ? null : q.toLowerCase(Locale.ROOT);
        List<Map<String, Object>> page = new ArrayList<>();
        int total = 0;
        for (Iterator<Conn> it = model.connections.open.values().iterator(); it.hasNext(); ) {
            Conn c = it.next();
            if (kind != null && !kind.isEmpty() && !kind.equals(c.kind())) {
                continue;
            }
            if (needle != null && !matches(c, needle)) {
                continue;
            }
            if (total >= offset && page.size() < limit) {
                page.add(model.views.brief(c));
            }
            total++;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("total", total);
        m.put("offset", offset);
        m.put("items", page);
        return m;
    }

    private static boolean matches(Conn c, String needle) {
        if (c.id.contains(needle)
                || c.peer.contains(needle)
                || (c.uri != null && c.uri.toLowerCase(Locale.ROOT).contains(needle))) {
            return true;
        }
        for (String ch : c.channels) {
            if (ch.toLowerCase(Locale.ROOT).contains(needle)) {
                return true;
            }
        }
        return false;
    }

    Map<String, Object> connection(String id) {
        Conn c = model.connections.get(id);
        return c == null ? null : model.views.detail(c);
    }

    List<Map<String, Object>> publishes(int limit) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Iterator<Pub> it = model.publishes.recent.descendingIterator(); it.hasNext() && out.size() < limit; ) {
            out.add(model.views.pubBrief(it.next()));
        }
        return out;
    }

    Map<String, Object> publish(String key) {
        Pub p = model.publishes.find(key);
        return p == null ? null : model.views.pubDetail(p);
    }

    Map<String, Object> explain(String conn, String pub) {
        Conn c = model.connections.get(conn);
        Pub p = model.publishes.find(pub);
        if (c == null || p == null) {
            return null;
        }
        return model.views.explain(c, p);
    }

    List<Map<String, Object>> events(int limit) {
        List<Map<String, Object>> out = new ArrayList<>();
        Iterator<Map<String, Object>> it = model.events.events.descendingIterator();
        while (it.hasNext() && out.size() < limit) {
            out.add(it.next());
        }
        Collections.reverse(out);
        return out;
    }

    static byte[] json(Object o) {
        try {
            return JSON.writeValueAsBytes(o);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Drops d : watched) {
            d.removeListener(dropListener);
        }
        for (Channel ch : feeds) {
            ch.close();
        }
        thread.shutdownNow();
    }
}
