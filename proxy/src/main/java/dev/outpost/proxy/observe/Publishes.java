package dev.outpost.proxy.observe;

import dev.outpost.grip.publish.PublishAction;
import dev.outpost.grip.publish.PublishItem;
import java.util.ArrayDeque;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The last {@value Model#PUBLISHES} publishes and what became of each: for every subscribed connection delivered,
 * not delivered (why) or acted on, in the publish's outcomes and the connection's history; and the totals. Touched by
 * the inspector's thread only.
 */
final class Publishes {
    final ArrayDeque<Pub> recent = new ArrayDeque<>();
    private final Map<PublishItem, Pub> byItem = new IdentityHashMap<>();
    private long pubSeq;
    long publishes;
    long delivered;
    final Map<String, Long> droppedTotal = new LinkedHashMap<>();

    private final Connections connections;
    private final ProxyMetrics metrics;
    private final EventLog events;

    Publishes(Connections connections, ProxyMetrics metrics, EventLog events) {
        this.connections = connections;
        this.metrics = metrics;
        this.events = events;
    }

    void publish(PublishItem item, int hubSubscribers, long now, long nanos) {
        Pub p = new Pub(++pubSeq, now, nanos, item);
        publishes++;
        recent.addLast(p);
        byItem.put(item, p);
        if (recent.size() > Model.PUBLISHES) {
            Pub old = recent.removeFirst();
            byItem.remove(old.item);
        }
        Set<String> subs = connections.subscribers(item.channel());
        p.subscribers = Math.max(subs.size(), hubSubscribers);
        events.add(
                now,
                "publish",
                null,
                item.channel(),
                p.seq,
                (item.id() == null ? "" : "id " + item.id() + ", ") + Summaries.formatNames(item) + ", " + p.subscribers
                        + " subscriber" + (p.subscribers == 1 ? "" : "s"));
        if (p.subscribers == 0) {
            drop(p, null, DropReason.NO_SUBSCRIBER, now);
            return;
        }
        for (String id : subs) {
            Conn c = connections.open.get(id);
            if (c == null) {
                continue;
            }
            Conn.Hist h = new Conn.Hist(p.seq, item.channel(), item.id(), now);
            c.remember(h);
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
        Pub p = byItem.get(item);
        if (p != null) {
            metrics.deliveryLatency.record(Math.max(0, nanos - p.nanos), TimeUnit.NANOSECONDS);
            p.delivered++;
            p.outcome(id, "delivered", null);
        }
        events.add(now, "deliver", id, channel, p == null ? null : p.seq, item.id() == null ? null : "id " + item.id());
        Conn c = connections.get(id);
        if (c != null) {
            c.delivered++;
            resolve(c, p, channel, item, "delivered", null, now);
            if ("response".equals(c.holdMode)) {
                connections.endHold(c, "published", now);
            } else if ("stream".equals(c.holdMode)
                    && item.httpStream() != null
                    && item.httpStream().action() == PublishAction.CLOSE) {
                connections.endHold(c, "closed by publish", now);
            }
        }
    }

    void notDelivered(String id, String channel, PublishItem item, DropReason reason, long now) {
        Pub p = byItem.get(item);
        Conn c = id == null ? null : connections.get(id);
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
            events.add(now, "drop", id, channel, null, reason.label());
        }
    }

    /** The connection carried out the item's action (see {@link ProxyObserver#acted}). */
    void acted(String id, String channel, PublishItem item, String action, long now) {
        Pub p = byItem.get(item);
        String what = actionText(action);
        if (p != null) {
            p.acted++;
            p.outcome(id, "acted", what);
        }
        Conn c = connections.get(id);
        if (c != null) {
            resolve(c, p, channel, item, "acted", what, now);
        }
        events.add(now, "act", id, channel, p == null ? null : p.seq, what);
        if (c != null && action.equals("close") && "stream".equals(c.holdMode)) {
            connections.endHold(c, "closed by publish", now);
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

    /**
     * A drop counted by the hub or a limit. {@code connection} starts with the connection id when one is concerned;
     * queue drops of holds are already reported with their item.
     */
    void hubDrop(String reason, String channel, String connection, String detail, long now) {
        if (reason.equals("session_queue")) {
            return;
        }
        String id = connection == null ? null : connection.split(" ", 2)[0];
        Conn c = id == null ? null : connections.get(id);
        if (c != null) {
            c.dropped++;
        }
        events.add(
                now,
                "drop",
                c == null ? null : c.id,
                channel == null || channel.equals("-") || channel.equals("*") ? null : channel,
                null,
                reason + ": " + detail);
    }

    private void drop(Pub p, String id, DropReason reason, long now) {
        metrics.dropped(reason);
        droppedTotal.merge(reason.label(), 1L, Long::sum);
        p.dropped.merge(reason.label(), 1, Integer::sum);
        p.outcome(id, "not-delivered", reason.label());
        events.add(now, "drop", id, p.item.channel(), p.seq, reason.label());
    }

    private static void resolve(
            Conn c, Pub p, String channel, PublishItem item, String outcome, String reason, long now) {
        Conn.Hist h = null;
        if (p != null) {
            for (Iterator<Conn.Hist> it = c.history.descendingIterator(); it.hasNext(); ) {
                Conn.Hist x = it.next();
                if (x.pub == p.seq && x.channel.equals(channel)) {
                    h = x;
                    break;
                }
            }
        }
        if (h == null) {
            h = new Conn.Hist(p == null ? 0 : p.seq, channel, item.id(), now);
            c.remember(h);
        }
        h.outcome = outcome;
        h.reason = reason;
    }

    /** A recent publish by its sequence number or, failing that, its item id (the latest), or null. */
    Pub find(String key) {
        try {
            long seq = Long.parseLong(key);
            for (Pub p : recent) {
                if (p.seq == seq) {
                    return p;
                }
            }
        } catch (NumberFormatException e) {
            // not a sequence number: an item id
        }
        for (Iterator<Pub> it = recent.descendingIterator(); it.hasNext(); ) {
            Pub p = it.next();
            if (key.equals(p.item.id())) {
                return p;
            }
        }
        return null;
    }
}
