package dev.outpost.proxy.observe;

import dev.outpost.grip.instruct.GripInstruct;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The connections the inspector knows (open, and the last {@value Model#CLOSED} closed) with their requests, holds,
 * channels and meta, and which open connections each channel has (the channel index publishes are matched
 * against). Keeps the gauges' counts. Touched by the inspector's thread only.
 */
final class Connections {
    final Map<String, Conn> open = new LinkedHashMap<>();
    final LinkedHashMap<String, Conn> closed = new LinkedHashMap<>();
    /** Channel → ids of the open connections subscribed to it. */
    private final Map<String, Set<String>> channelIndex = new HashMap<>();

    private final Model.Counts counts;
    private final ProxyMetrics metrics;
    private final EventLog events;

    Connections(Model.Counts counts, ProxyMetrics metrics, EventLog events) {
        this.counts = counts;
        this.metrics = metrics;
        this.events = events;
    }

    /** An open connection, or one closed recently, or null. */
    Conn get(String id) {
        Conn c = open.get(id);
        return c != null ? c : closed.get(id);
    }

    /** The open connections subscribed to {@code channel}, by id. */
    Set<String> subscribers(String channel) {
        return channelIndex.getOrDefault(channel, Set.of());
    }

    void opened(String id, String transport, String peer, long now) {
        open.put(id, new Conn(id, transport, peer, now));
        counts.connections = open.size();
        events.add(now, "connect", id, null, null, "from " + peer);
    }

    void closed(String id, long now) {
        Conn c = open.remove(id);
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
        if (closed.size() > Model.CLOSED) {
            Iterator<String> it = closed.keySet().iterator();
            it.next();
            it.remove();
        }
        counts.connections = open.size();
        events.add(now, "disconnect", id, null, null, "after " + (now - c.opened) / 1000.0 + " s");
    }

    void transport(String id, String transport, long now) {
        Conn c = open.get(id);
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
        events.add(now, "upgrade", id, null, null, "now " + transport);
    }

    void request(String id, String method, String uri, long now, long nanos) {
        Conn c = open.get(id);
        if (c == null) {
            return;
        }
        c.method = method;
        c.uri = uri;
        c.requestNanos = nanos;
        c.route = null;
        c.target = null;
        c.originStatus = 0;
        events.add(now, "request", id, null, null, method + " " + uri);
    }

    void origin(String id, String route, String target, int status, long now, long nanos) {
        Conn c = open.get(id);
        if (c == null) {
            return;
        }
        c.route = route;
        c.target = target;
        c.originStatus = status;
        if (c.requestNanos == 0) {
            // a retry of a held request (Grip-Last, update on first subscription): its start is not known
            events.add(now, "origin", id, null, null, status + " from " + target + " (retry)");
            return;
        }
        long took = nanos - c.requestNanos;
        c.requestNanos = 0;
        metrics.origin(route, status, took);
        events.add(now, "origin", id, null, null, status + " from " + target + " in " + took / 1_000_000 + " ms");
    }

    void holdStarted(String id, String mode, List<String> channels, GripInstruct ins, long now) {
        Conn c = open.get(id);
        if (c == null) {
            return;
        }
        endHold(c, "replaced", now);
        c.holdMode = mode;
        c.holdSince = now;
        c.instruct = Summaries.instruct(ins);
        c.meta = ins.meta();
        if ("response".equals(mode)) {
            counts.holdsResponse++;
        } else {
            counts.holdsStream++;
        }
        for (String ch : channels) {
            subscribe(c, ch);
        }
        events.add(
                now,
                "hold",
                id,
                String.join(", ", channels),
                null,
                mode + (mode.equals("response") ? ", timeout " + ins.timeoutSeconds() + " s" : ""));
    }

    void holdEnded(String id, String reason, long now) {
        Conn c = open.get(id);
        if (c != null) {
            endHold(c, reason, now);
        }
    }

    /** The connection's hold (if any) ended: an HTTP connection's channels go with it. */
    void endHold(Conn c, String reason, long now) {
        if (c.holdMode == null) {
            return;
        }
        if ("response".equals(c.holdMode)) {
            counts.holdsResponse--;
        } else {
            counts.holdsStream--;
        }
        events.add(now, "hold-end", c.id, String.join(", ", c.channels), null, c.holdMode + " hold: " + reason);
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
        Conn c = open.get(id);
        if (c != null && !c.channels.contains(channel)) {
            subscribe(c, channel);
            events.add(now, "subscribe", id, channel, null, null);
        }
    }

    private void subscribe(Conn c, String channel) {
        c.channels.add(channel);
        channelIndex.computeIfAbsent(channel, k -> new LinkedHashSet<>()).add(c.id);
    }

    void unsubscribed(String id, String channel, long now) {
        Conn c = open.get(id);
        if (c != null && c.channels.remove(channel)) {
            unindex(channel, id);
            events.add(now, "unsubscribe", id, channel, null, null);
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
        Conn c = open.get(id);
        if (c != null) {
            c.meta = Map.copyOf(meta);
            events.add(now, "meta", id, null, null, meta.toString());
        }
    }

    void forwardedFor(String id, String value) {
        Conn c = open.get(id);
        if (c == null || !loopback(c.peer)) {
            return;
        }
        String first = value.split(",", 2)[0].trim();
        if (!first.isEmpty()) {
            c.client = first;
        }
    }

    /** A peer as {@code ProxyChannelInitializer} writes it: {@code 127.0.0.1:40000} or {@code 0:0:0:0:0:0:0:1:40000}. */
    private static boolean loopback(String peer) {
        return peer != null && (peer.startsWith("127.") || peer.startsWith("0:0:0:0:0:0:0:1:"));
    }

    void keepAlive(String id) {
        metrics.keepAlives.increment();
        Conn c = open.get(id);
        if (c != null) {
            c.keepAlives++;
        }
        events.keepAlive(id);
    }
}
