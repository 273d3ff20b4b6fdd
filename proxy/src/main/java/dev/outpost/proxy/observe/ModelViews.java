package dev.outpost.proxy.observe;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The inspector's JSON view of its model: the summary, a connection in brief and in detail, a publish in brief and
 * in detail, and why a connection did or did not get a publish. Read on the inspector's thread.
 */
final class ModelViews {
    private final Model.Counts counts;
    private final Connections connections;
    private final Publishes publishes;
    private final Model.Edge edge;

    ModelViews(Model.Counts counts, Connections connections, Publishes publishes, Model.Edge edge) {
        this.counts = counts;
        this.connections = connections;
        this.publishes = publishes;
        this.edge = edge;
    }

    Map<String, Object> summary(int hubSubscriptions, int hubChannels, int feeds) {
        Map<String, Object> s = new LinkedHashMap<>();
        Map<String, Integer> kinds = new LinkedHashMap<>();
        for (String k : List.of("http", "long-poll", "stream", "ws")) {
            kinds.put(k, 0);
        }
        for (Conn c : connections.open.values()) {
            kinds.merge(c.kind(), 1, Integer::sum);
        }
        s.put("connections", connections.open.size());
        s.put("byKind", kinds);
        s.put("holds", Map.of("response", counts.holdsResponse, "stream", counts.holdsStream));
        s.put("subscriptions", hubSubscriptions);
        s.put("channels", hubChannels);
        s.put("publishes", publishes.publishes);
        s.put("delivered", publishes.delivered);
        s.put("dropped", new LinkedHashMap<>(publishes.droppedTotal));
        s.put("edgeRequests", edge.requests);
        s.put("edgeHandoffs", edge.handoffs);
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
        for (Iterator<Conn.Hist> it = c.history.descendingIterator(); it.hasNext(); ) {
            Conn.Hist h = it.next();
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

    /** Why connection {@code c} did or did not get publish {@code p}, in one sentence. */
    Map<String, Object> explain(Conn c, Pub p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("conn", c.id);
        m.put("pub", p.seq);
        String ch = p.item.channel();
        String verdict;
        String why;
        Conn.Hist h = null;
        for (Conn.Hist x : c.history) {
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
            why = "No record: the connection's history keeps the last " + Model.HISTORY + " publishes on its channels.";
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
}
