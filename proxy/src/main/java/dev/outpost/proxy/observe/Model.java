package dev.outpost.proxy.observe;

import dev.outpost.grip.instruct.GripInstruct;
import dev.outpost.grip.publish.PublishItem;
import java.util.List;
import java.util.Map;

/**
 * What the inspector knows: open and recently closed connections ({@link Connections}), recent publishes with their
 * outcomes ({@link Publishes}), recent events ({@link EventLog}), and the JSON view of them ({@link ModelViews}).
 * Every structure is bounded. Confined to the inspector's own thread: no locking.
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

    /** The local Compute server's requests and handoffs to the proxy. */
    static final class Edge {
        long requests;
        long handoffs;
    }

    final Counts counts;
    final EventLog events = new EventLog();
    final Connections connections;
    final Publishes publishes;
    final ModelViews views;
    private final Edge edge = new Edge();
    private final ProxyMetrics metrics;

    Model(ProxyMetrics metrics, Counts counts) {
        this.metrics = metrics;
        this.counts = counts;
        this.connections = new Connections(counts, metrics, events);
        this.publishes = new Publishes(connections, metrics, events);
        this.views = new ModelViews(counts, connections, publishes, edge);
    }

    // ---- updates, as the observer reports them ----

    void opened(String id, String transport, String peer, long now) {
        connections.opened(id, transport, peer, now);
    }

    void closed(String id, long now) {
        connections.closed(id, now);
    }

    void transport(String id, String transport, long now) {
        connections.transport(id, transport, now);
    }

    void request(String id, String method, String uri, long now, long nanos) {
        connections.request(id, method, uri, now, nanos);
    }

    void origin(String id, String route, String target, int status, long now, long nanos) {
        connections.origin(id, route, target, status, now, nanos);
    }

    void holdStarted(String id, String mode, List<String> channels, GripInstruct ins, long now) {
        connections.holdStarted(id, mode, channels, ins, now);
    }

    void holdEnded(String id, String reason, long now) {
        connections.holdEnded(id, reason, now);
    }

    void subscribed(String id, String channel, long now) {
        connections.subscribed(id, channel, now);
    }

    void unsubscribed(String id, String channel, long now) {
        connections.unsubscribed(id, channel, now);
    }

    void meta(String id, Map<String, String> meta, long now) {
        connections.meta(id, meta, now);
    }

    void forwardedFor(String id, String value) {
        connections.forwardedFor(id, value);
    }

    void keepAlive(String id) {
        connections.keepAlive(id);
    }

    void publish(PublishItem item, int hubSubscribers, long now, long nanos) {
        publishes.publish(item, hubSubscribers, now, nanos);
    }

    void delivered(String id, String channel, PublishItem item, long now, long nanos) {
        publishes.delivered(id, channel, item, now, nanos);
    }

    void notDelivered(String id, String channel, PublishItem item, DropReason reason, long now) {
        publishes.notDelivered(id, channel, item, reason, now);
    }

    void acted(String id, String channel, PublishItem item, String action, long now) {
        publishes.acted(id, channel, item, action, now);
    }

    void hubDrop(String reason, String channel, String connection, String detail, long now) {
        publishes.hubDrop(reason, channel, connection, detail, now);
    }

    void edge(String method, String path, int status, long millis, String handoff, long now) {
        metrics.edge(status, millis);
        edge.requests++;
        if (handoff != null) {
            edge.handoffs++;
        }
        events.add(
                now,
                "edge",
                null,
                null,
                null,
                method + " " + path + " " + status + " in " + millis + " ms"
                        + (handoff == null ? "" : ", handoff " + handoff));
    }
}
