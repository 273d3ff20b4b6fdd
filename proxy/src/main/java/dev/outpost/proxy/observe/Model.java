package dev.outpost.proxy.observe;

import dev.outpost.grip.instruct.GripChannel;
import dev.outpost.grip.instruct.GripInstruct;
import dev.outpost.grip.instruct.HoldMode;
import dev.outpost.grip.publish.HttpResponseFormat;
import dev.outpost.grip.publish.HttpStreamFormat;
import dev.outpost.grip.publish.PublishAction;
import dev.outpost.grip.publish.PublishItem;
import dev.outpost.grip.publish.WsMessageFormat;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * What the inspector knows: open and recently closed connections, recent publishes with their outcomes, recent
 * events. Every structure is bounded. Confined to the inspector's own thread: no locking.
 */
final class Model {
    static final int HISTORY = 50;
    static final int PUBLISHES = 300;
    static final int OUTCOMES = 200;
    static final int EVENTS = 1000;
    static final int CLOSED = 200;
    static final int PREVIEW = 160;

    /** Counts read by gauges from other threads. */
    static final class Counts {
        volatile int connections;
        volatile int ws;
        volatile int holdsResponse;
        volatile int holdsStream;
        volatile double connectionMinutes;

        double byTransport(String t) {
            return t.equals("ws") ? ws : connections - ws;
        }
    }

    static final class Hist {
        final long pub;
        final String channel;
        final String itemId;
        final long time;
        String outcome = "pending";
        String reason;

        Hist(long pub, String channel, String itemId, long time) {
            this.pub = pub;
            this.channel = channel;
            this.itemId = itemId;
            this.time = time;
        }
    }

    static final class Conn {
        final String id;
        final String peer;
        /** The real client of a handoff from the local Compute server (X-Forwarded-For), or null. */
        String client;

        final long opened;
        String transport;
        long closed;
        String method;
        String uri;
        long requestNanos;
        String route;
        String target;
        int originStatus;
        String holdMode;
        long holdSince;
        String lastHoldEnd;
        Map<String, Object> instruct;
        final Set<String> channels = new LinkedHashSet<>();
        Map<String, String> meta = Map.of();
        long delivered;
        long dropped;
        long keepAlives;
        final ArrayDeque<Hist> history = new ArrayDeque<>();

        Conn(String id, String transport, String peer, long opened) {
            this.id = id;
            this.transport = transport;
            this.peer = peer;
            this.opened = opened;
        }

        /** The publish format this connection takes now, or null. */
        String format() {
            if ("ws".equals(transport)) {
                return "ws-message";
            }
            if ("response".equals(holdMode)) {
                return "http-response";
            }
            return "stream".equals(holdMode) ? "http-stream" : null;
        }

        /** A display name of the transport: http, long-poll, stream or ws. */
        String kind() {
            if ("ws".equals(transport)) {
                return "ws";
            }
            if ("response".equals(holdMode)) {
                return "long-poll";
            }
            return "stream".equals(holdMode) ? "stream" : "http";
        }
    }

    static final class Pub {
        final long seq;
        final long time;
        final long nanos;
        final PublishItem item;
        final Map<String, Object> summary;
        int subscribers;
        long delivered;
        /** Connections that carried out the item's action (hint, refresh, close) instead of receiving content. */
        long acted;

        final Map<String, Integer> dropped = new LinkedHashMap<>();
        final List<Map<String, Object>> outcomes = new ArrayList<>();
        int moreOutcomes;

        Pub(long seq, long time, long nanos, PublishItem item) {
            this.seq = seq;
            this.time = time;
            this.nanos = nanos;
            this.item = item;
            this.summary = itemSummary(item);
        }
    }

    final Counts counts;
    final Map<String, Conn> conns = new LinkedHashMap<>();
    final LinkedHashMap<String, Conn> closed = new LinkedHashMap<>();
    final Map<String, Set<String>> channelIndex = new HashMap<>();
    final ArrayDeque<Pub> pubs = new ArrayDeque<>();
    final Map<PublishItem, Pub> pubByItem = new IdentityHashMap<>();
    final ArrayDeque<Map<String, Object>> events = new ArrayDeque<>();
    /** Events not yet sent to the live feed. */
    final List<Map<String, Object>> fresh = new ArrayList<>();

    int freshSkipped;
    long keepAlivesSinceTick;
    final List<String> keepAliveSample = new ArrayList<>();
    long eventSeq;
    long pubSeq;
    long publishes;
    long edgeRequests;
    long edgeHandoffs;
    long delivered;
    final Map<String, Long> droppedTotal = new LinkedHashMap<>();
    private final ProxyMetrics metrics;

    Model(ProxyMetrics metrics, Counts counts) {
        this.metrics = metrics;
        this.counts = counts;
    }

    // ---- updates ----

    void opened(String id, String transport, String peer, long now) {
        conns.put(id, new Conn(id, transport, peer, now));
        counts.connections = conns.size();
        event(now, "connect", id, null, null, "from " + peer);
    }

    void closed(String id, long now) {
        Conn c = conns.remove(id);
        if (c == null) {
            return;
        }
        endHold(c, "disconnected", now);
        for (String ch : c.channels) {
            unindex(ch, id);
        }
        if ("ws".equals(c.transport)) {
            counts.ws--;
        }
        c.closed = now;
        closed.put(id, c);
        if (closed.size() > CLOSED) {
            Iterator<String> it = closed.keySet().iterator();
            it.next();
            it.remove();
        }
        counts.connections = conns.size();
        event(now, "disconnect", id, null, null, "after " + (now - c.opened) / 1000.0 + " s");
    }

    void transport(String id, String transport, long now) {
        Conn c = conns.get(id);
        if (c == null || transport.equals(c.transport)) {
            return;
        }
        if ("ws".equals(c.transport)) {
            counts.ws--;
        }
        c.transport = transport;
        if ("ws".equals(transport)) {
            counts.ws++;
        }
        event(now, "upgrade", id, null, null, "now " + transport);
    }

    void request(String id, String method, String uri, long now, long nanos) {
        Conn c = conns.get(id);
        if (c == null) {
            return;
        }
        c.method = method;
        c.uri = uri;
        c.requestNanos = nanos;
        c.route = null;
        c.target = null;
        c.originStatus = 0;
        event(now, "request", id, null, null, method + " " + uri);
    }

    void origin(String id, String route, String target, int status, long now, long nanos) {
        Conn c = conns.get(id);
        if (c == null) {
            return;
        }
        c.route = route;
        c.target = target;
        c.originStatus = status;
        if (c.requestNanos == 0) {
            // a retry of a held request (Grip-Last, update on first subscription): its start is not known
            event(now, "origin", id, null, null, status + " from " + target + " (retry)");
            return;
        }
        long took = nanos - c.requestNanos;
        c.requestNanos = 0;
        metrics.origin(route, status, took);
        event(now, "origin", id, null, null, status + " from " + target + " in " + took / 1_000_000 + " ms");
    }

    void holdStarted(String id, String mode, List<String> channels, GripInstruct ins, long now) {
        Conn c = conns.get(id);
        if (c == null) {
            return;
        }
        endHold(c, "replaced", now);
        c.holdMode = mode;
        c.holdSince = now;
        c.instruct = instructSummary(ins);
        c.meta = ins.meta();
        if ("response".equals(mode)) {
            counts.holdsResponse++;
        } else {
            counts.holdsStream++;
        }
        for (String ch : channels) {
            subscribe(c, ch, now);
        }
        event(
                now,
                "hold",
                id,
                String.join(", ", channels),
                null,
                mode + (mode.equals("response") ? ", timeout " + ins.timeoutSeconds() + " s" : ""));
    }

    void holdEnded(String id, String reason, long now) {
        Conn c = conns.get(id);
        if (c != null) {
            endHold(c, reason, now);
        }
    }

    private void endHold(Conn c, String reason, long now) {
        if (c.holdMode == null) {
            return;
        }
        if ("response".equals(c.holdMode)) {
            counts.holdsResponse--;
        } else {
            counts.holdsStream--;
        }
        event(now, "hold-end", c.id, String.join(", ", c.channels), null, c.holdMode + " hold: " + reason);
        c.holdMode = null;
        c.lastHoldEnd = reason;
        if (!"ws".equals(c.transport)) {
            for (String ch : c.channels) {
                unindex(ch, c.id);
            }
            c.channels.clear();
        }
    }

    void subscribed(String id, String channel, long now) {
        Conn c = conns.get(id);
        if (c != null && !c.channels.contains(channel)) {
            subscribe(c, channel, now);
            event(now, "subscribe", id, channel, null, null);
        }
    }

    private void subscribe(Conn c, String channel, long now) {
        c.channels.add(channel);
        channelIndex.computeIfAbsent(channel, k -> new LinkedHashSet<>()).add(c.id);
    }

    void unsubscribed(String id, String channel, long now) {
        Conn c = conns.get(id);
        if (c != null && c.channels.remove(channel)) {
            unindex(channel, id);
            event(now, "unsubscribe", id, channel, null, null);
        }
    }

    private void unindex(String channel, String id) {
        Set<String> s = channelIndex.get(channel);
        if (s != null) {
            s.remove(id);
            if (s.isEmpty()) {
                channelIndex.remove(channel);
            }
        }
    }

    void meta(String id, Map<String, String> meta, long now) {
        Conn c = conns.get(id);
        if (c != null) {
            c.meta = Map.copyOf(meta);
            event(now, "meta", id, null, null, meta.toString());
        }
    }

    void publish(PublishItem item, int hubSubscribers, long now, long nanos) {
        Pub p = new Pub(++pubSeq, now, nanos, item);
        publishes++;
        pubs.addLast(p);
        pubByItem.put(item, p);
        if (pubs.size() > PUBLISHES) {
            Pub old = pubs.removeFirst();
            pubByItem.remove(old.item);
        }
        Set<String> subs = channelIndex.getOrDefault(item.channel(), Set.of());
        p.subscribers = Math.max(subs.size(), hubSubscribers);
        event(
                now,
                "publish",
                null,
                item.channel(),
                p.seq,
                (item.id() == null ? "" : "id " + item.id() + ", ") + formatNames(item) + ", " + p.subscribers
                        + " subscriber" + (p.subscribers == 1 ? "" : "s"));
        if (p.subscribers == 0) {
            drop(p, null, DropReason.NO_SUBSCRIBER, now);
            return;
        }
        for (String id : subs) {
            Conn c = conns.get(id);
            if (c == null) {
                continue;
            }
            Hist h = new Hist(p.seq, item.channel(), item.id(), now);
            c.history.addLast(h);
            if (c.history.size() > HISTORY) {
                c.history.removeFirst();
            }
            String f = c.format();
            if (f != null && !p.summary.containsKey(f)) {
                // not a loss: the item was not meant for this kind of connection (not counted as its drop)
                h.outcome = "not-delivered";
                h.reason = DropReason.NO_FORMAT.label();
                drop(p, c.id, DropReason.NO_FORMAT, now);
            }
        }
    }

    void delivered(String id, String channel, PublishItem item, long now, long nanos) {
        metrics.messageSent.increment();
        delivered++;
        Pub p = pubByItem.get(item);
        if (p != null) {
            metrics.deliveryLatency.record(Math.max(0, nanos - p.nanos), TimeUnit.NANOSECONDS);
            p.delivered++;
            outcome(p, id, "delivered", null);
        }
        event(now, "deliver", id, channel, p == null ? null : p.seq, item.id() == null ? null : "id " + item.id());
        Conn c = conn(id);
        if (c != null) {
            c.delivered++;
            resolve(c, p, channel, item, "delivered", null, now);
            if ("response".equals(c.holdMode)) {
                endHold(c, "published", now);
            } else if ("stream".equals(c.holdMode)
                    && item.httpStream() != null
                    && item.httpStream().action() == PublishAction.CLOSE) {
                endHold(c, "closed by publish", now);
            }
        }
    }

    void notDelivered(String id, String channel, PublishItem item, DropReason reason, long now) {
        Pub p = pubByItem.get(item);
        Conn c = id == null ? null : conn(id);
        if (c != null) {
            if (reason != DropReason.NO_FORMAT) {
                c.dropped++;
            }
            resolve(c, p, channel, item, "not-delivered", reason.label(), now);
        }
        if (p != null) {
            drop(p, id, reason, now);
        } else {
            metrics.dropped(reason);
            droppedTotal.merge(reason.label(), 1L, Long::sum);
            event(now, "drop", id, channel, null, reason.label());
        }
    }

    /** The connection carried out the item's action (see {@link ProxyObserver#acted}). */
    void acted(String id, String channel, PublishItem item, String action, long now) {
        Pub p = pubByItem.get(item);
        String what = actionText(action);
        if (p != null) {
            p.acted++;
            outcome(p, id, "acted", what);
        }
        Conn c = conn(id);
        if (c != null) {
            resolve(c, p, channel, item, "acted", what, now);
        }
        event(now, "act", id, channel, p == null ? null : p.seq, what);
        if (c != null && action.equals("close") && "stream".equals(c.holdMode)) {
            endHold(c, "closed by publish", now);
        }
    }

    static String actionText(String action) {
        return switch (action) {
            case "hint" -> "hint: the origin was asked again";
            case "refresh" -> "refresh: the origin was asked again";
            case "close" -> "close: the connection was closed";
            default -> action;
        };
    }

    void forwardedFor(String id, String value) {
        Conn c = conns.get(id);
        if (c == null || !loopback(c.peer)) {
            return;
        }
        String first = value.split(",", 2)[0].trim();
        if (!first.isEmpty()) {
            c.client = first;
        }
    }

    /** A peer as {@link ObservingInitializer} writes it: {@code 127.0.0.1:40000} or {@code 0:0:0:0:0:0:0:1:40000}. */
    private static boolean loopback(String peer) {
        return peer != null && (peer.startsWith("127.") || peer.startsWith("0:0:0:0:0:0:0:1:"));
    }

    private void drop(Pub p, String id, DropReason reason, long now) {
        metrics.dropped(reason);
        droppedTotal.merge(reason.label(), 1L, Long::sum);
        p.dropped.merge(reason.label(), 1, Integer::sum);
        outcome(p, id, "not-delivered", reason.label());
        event(now, "drop", id, p.item.channel(), p.seq, reason.label());
    }

    private static void outcome(Pub p, String id, String outcome, String reason) {
        if (p.outcomes.size() >= OUTCOMES) {
            p.moreOutcomes++;
            return;
        }
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("conn", id);
        o.put("outcome", outcome);
        if (reason != null) {
            o.put("reason", reason);
        }
        p.outcomes.add(o);
    }

    private static void resolve(
            Conn c, Pub p, String channel, PublishItem item, String outcome, String reason, long now) {
        Hist h = null;
        if (p != null) {
            for (Iterator<Hist> it = c.history.descendingIterator(); it.hasNext(); ) {
                Hist x = it.next();
                if (x.pub == p.seq && x.channel.equals(channel)) {
                    h = x;
                    break;
                }
            }
        }
        if (h == null) {
            h = new Hist(p == null ? 0 : p.seq, channel, item.id(), now);
            c.history.addLast(h);
            if (c.history.size() > HISTORY) {
                c.history.removeFirst();
            }
        }
        h.outcome = outcome;
        h.reason = reason;
    }

    /**
     * A drop counted by the hub or a limit. {@code connection} starts with the connection id when one is concerned;
     * queue drops of holds are already reported with their item.
     */
    void hubDrop(String reason, String channel, String connection, String detail, long now) {
        if (reason.equals("session_queue")) {
            return;
        }
        String id = connection == null ? null : connection.split(" ", 2)[0];
        Conn c = id == null ? null : conn(id);
        if (c != null) {
            c.dropped++;
        }
        event(
                now,
                "drop",
                c == null ? null : c.id,
                channel == null || channel.equals("-") || channel.equals("*") ? null : channel,
                null,
                reason + ": " + detail);
    }

    void keepAlive(String id) {
        metrics.keepAlives.increment();
        Conn c = conns.get(id);
        if (c != null) {
            c.keepAlives++;
        }
        keepAlivesSinceTick++;
        if (keepAliveSample.size() < 5) {
            keepAliveSample.add(id);
        }
    }

    void edge(String method, String path, int status, long millis, String handoff, long now) {
        metrics.edge(status, millis);
        edgeRequests++;
        if (handoff != null) {
            edgeHandoffs++;
        }
        event(
                now,
                "edge",
                null,
                null,
                null,
                method + " " + path + " " + status + " in " + millis + " ms"
                        + (handoff == null ? "" : ", handoff " + handoff));
    }

    Conn conn(String id) {
        Conn c = conns.get(id);
        return c != null ? c : closed.get(id);
    }

    private void event(long now, String type, String conn, String channel, Long pub, String text) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("seq", ++eventSeq);
        e.put("t", now);
        e.put("type", type);
        if (conn != null) {
            e.put("conn", conn);
        }
        if (channel != null) {
            e.put("channel", channel);
        }
        if (pub != null) {
            e.put("pub", pub);
        }
        if (text != null) {
            e.put("text", text);
        }
        events.addLast(e);
        if (events.size() > EVENTS) {
            events.removeFirst();
        }
        if (fresh.size() < Inspector.FEED_EVENTS_PER_TICK) {
            fresh.add(e);
        } else {
            freshSkipped++;
        }
    }

    // ---- views ----

    Map<String, Object> summary(int hubSubscriptions, int hubChannels, int feeds) {
        Map<String, Object> s = new LinkedHashMap<>();
        Map<String, Integer> kinds = new LinkedHashMap<>();
        for (String k : List.of("http", "long-poll", "stream", "ws")) {
            kinds.put(k, 0);
        }
        for (Conn c : conns.values()) {
            kinds.merge(c.kind(), 1, Integer::sum);
        }
        s.put("connections", conns.size());
        s.put("byKind", kinds);
        s.put("holds", Map.of("response", counts.holdsResponse, "stream", counts.holdsStream));
        s.put("subscriptions", hubSubscriptions);
        s.put("channels", hubChannels);
        s.put("publishes", publishes);
        s.put("delivered", delivered);
        s.put("dropped", new LinkedHashMap<>(droppedTotal));
        s.put("edgeRequests", edgeRequests);
        s.put("edgeHandoffs", edgeHandoffs);
        s.put("feeds", feeds);
        return s;
    }

    Map<String, Object> brief(Conn c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", c.id);
        m.put("kind", c.kind());
        m.put("transport", c.transport);
        m.put("peer", c.client == null ? c.peer : c.client + " (handed off through " + c.peer + ")");
        m.put("opened", c.opened);
        if (c.closed != 0) {
            m.put("closed", c.closed);
        }
        m.put("request", c.method == null ? null : c.method + " " + c.uri);
        m.put("channels", List.copyOf(c.channels));
        m.put("meta", c.meta);
        m.put("delivered", c.delivered);
        m.put("dropped", c.dropped);
        return m;
    }

    Map<String, Object> detail(Conn c) {
        Map<String, Object> m = brief(c);
        m.put("route", c.route);
        m.put("target", c.target);
        m.put("originStatus", c.originStatus == 0 ? null : c.originStatus);
        m.put("holdMode", c.holdMode);
        m.put("holdSince", c.holdSince == 0 ? null : c.holdSince);
        m.put("lastHoldEnd", c.lastHoldEnd);
        m.put("instruct", c.instruct);
        m.put("keepAlives", c.keepAlives);
        List<Map<String, Object>> hist = new ArrayList<>();
        for (Iterator<Hist> it = c.history.descendingIterator(); it.hasNext(); ) {
            Hist h = it.next();
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("pub", h.pub == 0 ? null : h.pub);
            x.put("channel", h.channel);
            x.put("id", h.itemId);
            x.put("t", h.time);
            x.put("outcome", h.outcome);
            x.put("reason", h.reason);
            hist.add(x);
        }
        m.put("history", hist);
        return m;
    }

    Map<String, Object> pubBrief(Pub p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("seq", p.seq);
        m.put("t", p.time);
        m.putAll(p.summary);
        m.put("subscribers", p.subscribers);
        m.put("delivered", p.delivered);
        m.put("acted", p.acted);
        m.put("dropped", new LinkedHashMap<>(p.dropped));
        return m;
    }

    Map<String, Object> pubDetail(Pub p) {
        Map<String, Object> m = pubBrief(p);
        m.put("outcomes", new ArrayList<>(p.outcomes));
        m.put("moreOutcomes", p.moreOutcomes);
        return m;
    }

    Pub findPub(String key) {
        try {
            long seq = Long.parseLong(key);
            for (Pub p : pubs) {
                if (p.seq == seq) {
                    return p;
                }
            }
        } catch (NumberFormatException e) {
            // not a sequence number: an item id
        }
        for (Iterator<Pub> it = pubs.descendingIterator(); it.hasNext(); ) {
            Pub p = it.next();
            if (key.equals(p.item.id())) {
                return p;
            }
        }
        return null;
    }

    /** Why connection {@code c} did or did not get publish {@code p}, in one sentence. */
    Map<String, Object> explain(Conn c, Pub p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("conn", c.id);
        m.put("pub", p.seq);
        String ch = p.item.channel();
        String verdict;
        String why;
        Hist h = null;
        for (Hist x : c.history) {
            if (x.pub == p.seq) {
                h = x;
            }
        }
        if (h != null && h.outcome.equals("delivered")) {
            verdict = "delivered";
            why = "It was sent on channel " + ch + ".";
        } else if (h != null && h.outcome.equals("not-delivered")) {
            verdict = "not delivered";
            why = reasonText(h.reason, ch);
        } else if (h != null) {
            verdict = "pending";
            why = "The session on channel " + ch + " had not reported an outcome (still queued, or the item was"
                    + " not handed over yet).";
        } else if (p.time < c.opened) {
            verdict = "not delivered";
            why = "The connection opened after this publish.";
        } else if (c.closed != 0 && c.closed <= p.time) {
            verdict = "not delivered";
            why = "The connection had closed before this publish.";
        } else if (!c.channels.contains(ch)) {
            verdict = "not delivered";
            why = "The connection was not subscribed to channel " + ch
                    + (c.channels.isEmpty()
                            ? " (it has no subscription"
                            : " (its channels: " + String.join(", ", c.channels))
                    + ")."
                    + (c.lastHoldEnd != null && c.holdMode == null && !"ws".equals(c.transport)
                            ? " Its last hold ended: " + c.lastHoldEnd + "."
                            : "");
        } else {
            verdict = "unknown";
            why = "No record: the connection's history keeps the last " + HISTORY + " publishes on its channels.";
        }
        m.put("verdict", verdict);
        m.put("why", why);
        return m;
    }

    static String reasonText(String reason, String channel) {
        return switch (reason == null ? "" : reason) {
            case "no_format" ->
                "The item has no format this connection takes (long-poll: http-response, stream:"
                        + " http-stream, WebSocket: ws-message).";
            case "filtered" -> "A filter of its subscription to " + channel + " left the item out.";
            case "dropped_queue_full" ->
                "The client was not reading fast enough: its queue was full and the item" + " was dropped.";
            case "dropped_rate" -> "The delivery rate limit (message_rate) was exceeded.";
            case "dropped_sequence" -> "The item was out of sequence (prev-id) or a duplicate id.";
            case "closed" -> "The session had already ended when the item arrived.";
            case "patch_failed" -> "The item's body-patch could not be applied to the held response.";
            case "unsupported_action" -> "The item's action (hint or refresh) does not deliver content here.";
            default -> "Not delivered: " + reason + ".";
        };
    }

    static Map<String, Object> itemSummary(PublishItem item) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("channel", item.channel());
        m.put("id", item.id());
        m.put("prevId", item.prevId());
        if (!item.meta().isEmpty()) {
            m.put("meta", item.meta());
        }
        HttpResponseFormat r = item.httpResponse();
        if (r != null) {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("action", lower(r.action()));
            f.put("code", r.code());
            f.put("bytes", r.body() == null ? 0 : r.body().length);
            f.put("preview", preview(r.body()));
            m.put("http-response", f);
        }
        HttpStreamFormat s = item.httpStream();
        if (s != null) {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("action", lower(s.action()));
            f.put("bytes", s.content() == null ? 0 : s.content().length);
            f.put("preview", preview(s.content()));
            m.put("http-stream", f);
        }
        WsMessageFormat w = item.wsMessage();
        if (w != null) {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("action", lower(w.action()));
            f.put("type", lower(w.type()));
            f.put("bytes", w.content() == null ? 0 : w.content().length);
            f.put("preview", preview(w.content()));
            m.put("ws-message", f);
        }
        m.put("action", action(item));
        return m;
    }

    /** {@code send} when any format carries content, else the one action its formats carry (hint, close, ...). */
    static String action(PublishItem item) {
        Set<String> actions = new LinkedHashSet<>();
        if (item.httpResponse() != null) {
            actions.add(lower(item.httpResponse().action()));
        }
        if (item.httpStream() != null) {
            actions.add(lower(item.httpStream().action()));
        }
        if (item.wsMessage() != null) {
            actions.add(lower(item.wsMessage().action()));
        }
        return actions.contains("send") || actions.isEmpty() ? "send" : String.join("+", actions);
    }

    static Map<String, Object> instructSummary(GripInstruct ins) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("hold", lower(ins.hold()));
        List<Map<String, Object>> chs = new ArrayList<>();
        for (GripChannel c : ins.channels()) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("name", c.name());
            if (c.prevId() != null) {
                x.put("prevId", c.prevId());
            }
            if (c.filters() != null && !c.filters().isEmpty()) {
                x.put("filters", c.filters());
            }
            chs.add(x);
        }
        m.put("channels", chs);
        if (ins.hold() == HoldMode.RESPONSE) {
            // a stream hold has no timeout: Grip-Timeout applies to long-polls only
            m.put("timeout", ins.timeoutSeconds());
        }
        if (ins.keepAlive() != null) {
            m.put(
                    "keepAlive",
                    Map.of(
                            "content",
                            preview(ins.keepAlive().content()),
                            "timeout",
                            ins.keepAlive().timeoutSeconds(),
                            "mode",
                            lower(ins.keepAlive().mode())));
        }
        if (ins.status() != null) {
            m.put("status", ins.status().code() + " " + ins.status().reason());
        }
        if (ins.nextLink() != null) {
            m.put("next", ins.nextLink().uri());
        }
        if (ins.goneLink() != null) {
            m.put("gone", ins.goneLink());
        }
        if (!ins.meta().isEmpty()) {
            m.put("meta", ins.meta());
        }
        if (ins.exposeHeaders() != null) {
            m.put("exposeHeaders", ins.exposeHeaders());
        }
        return m;
    }

    private static String lower(Object e) {
        return e == null ? null : e.toString().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    static String preview(byte[] b) {
        if (b == null) {
            return "";
        }
        String s = new String(b, 0, Math.min(b.length, PREVIEW * 4), StandardCharsets.UTF_8);
        return s.length() > PREVIEW ? s.substring(0, PREVIEW) + "…" : s;
    }

    static String formatNames(PublishItem item) {
        List<String> f = new ArrayList<>();
        if (item.httpResponse() != null) {
            f.add("http-response");
        }
        if (item.httpStream() != null) {
            f.add("http-stream");
        }
        if (item.wsMessage() != null) {
            f.add("ws-message");
        }
        return String.join("+", f);
    }
}
