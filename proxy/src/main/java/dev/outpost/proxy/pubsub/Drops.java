package dev.outpost.proxy.pubsub;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts every message the proxy drops and every time a limit bites (one instance per proxy, given to every part
 * that drops or limits), and logs them without flooding: a drop for one
 * connection is logged once at its first occurrence and once more, with the count, when that connection's
 * {@link Tally} closes; drops and limit hits that belong to no one connection log their first occurrence and then at
 * most one line a minute with the count since. Counter {@value #METER}, tag {@code reason}:
 *
 * <table>
 * <caption>Reasons</caption>
 * <tr><td>{@code session_queue}</td><td>a session's queue was full (client not reading): {@code stream_queue_max}
 * items for a stream, {@code websocket_queue_max} bytes for a WebSocket</td></tr>
 * <tr><td>{@code message_hwm}</td><td>more than {@code message_hwm} deliveries waited for {@code message_rate}</td></tr>
 * <tr><td>{@code sequence_buffer}</td><td>{@code 100} items already waited for their predecessors on the channel</td></tr>
 * <tr><td>{@code duplicate_id}</td><td>an ID seen on the channel within {@code id_cache_ttl}</td></tr>
 * <tr><td>{@code subscription_max}</td><td>channels past {@code connection_subscription_max} (not subscribed)</td></tr>
 * <tr><td>{@code client_maxconn}</td><td>a connection past {@code client_maxconn} (closed)</td></tr>
 * </table>
 *
 * <p>Limits that do not drop messages (timeouts, a paused read) count under {@value #LIMIT_METER}, tag
 * {@code limit} (the configuration key).
 */
public final class Drops {
    private static final Logger log = LoggerFactory.getLogger(Drops.class);
    public static final String METER = "outpost.messages.dropped";
    public static final String LIMIT_METER = "outpost.limit.hits";
    /** At most one summary line per reason in this window, for drops and hits of no one connection. */
    static final long SUMMARY_NANOS = TimeUnit.SECONDS.toNanos(60);

    private final MeterRegistry registry;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Map<String, Counter> limitCounters = new ConcurrentHashMap<>();
    private final Map<String, Window> windows = new ConcurrentHashMap<>();

    /** Told of every drop, on the dropping thread (the inspector shows them). */
    public interface Listener {
        void dropped(String reason, String channel, String connection, String detail);
    }

    public Drops(MeterRegistry registry) {
        this.registry = registry;
    }

    public MeterRegistry registry() {
        return registry;
    }

    private Counter counter(String reason) {
        return counters.computeIfAbsent(
                reason,
                r -> Counter.builder(METER)
                        .description("messages (or subscriptions, connections) dropped by a limit")
                        .tag("reason", r)
                        .register(registry));
    }

    private Counter limitCounter(String limit) {
        return limitCounters.computeIfAbsent(
                limit,
                l -> Counter.builder(LIMIT_METER)
                        .description("times a configured limit bit (a timeout fired, a read paused)")
                        .tag("limit", l)
                        .register(registry));
    }

    public void addListener(Listener l) {
        listeners.add(l);
    }

    public void removeListener(Listener l) {
        listeners.remove(l);
    }

    private void tell(String reason, String channel, String connection, String detail) {
        for (Listener l : listeners) {
            l.dropped(reason, channel, connection, detail);
        }
    }

    /**
     * Counts one drop that belongs to no one connection's {@link Tally} (the hub's, or a refused connection) and logs
     * it at warn level: the first of its reason at once, later ones summed up in at most one line a minute.
     */
    public void drop(String reason, String channel, String connection, String detail) {
        counter(reason).increment();
        tell(reason, channel, connection, detail);
        windowed("dropped (" + reason + ")", "on channel " + channel + " for connection " + connection + ": " + detail);
    }

    /** Counts one drop for each of {@code channels} at once (one response naming too many), logged in one line. */
    public void dropMany(String reason, List<String> channels, String connection, String detail) {
        if (channels.isEmpty()) {
            return;
        }
        counter(reason).increment(channels.size());
        for (String c : channels) {
            tell(reason, c, connection, detail);
        }
        log.warn(
                "dropped ({}) {} channel(s) for connection {}: {} ({}{})",
                reason,
                channels.size(),
                connection,
                detail,
                String.join(", ", channels.subList(0, Math.min(5, channels.size()))),
                channels.size() > 5 ? ", ..." : "");
    }

    /** Counts one expected drop (a duplicate ID) and logs it at debug level only. */
    public void quietDrop(String reason, String channel, String connection, String detail) {
        counter(reason).increment();
        tell(reason, channel, connection, detail);
        log.debug("dropped ({}) on channel {} for connection {}: {}", reason, channel, connection, detail);
    }

    /**
     * Counts one bite of the limit {@code limit} (its configuration key) and logs it at info level: the first at once,
     * later ones summed up in at most one line a minute. For a limit that keeps biting on one connection, count each
     * bite here and log through {@link Tally#hit}.
     */
    public void hit(String limit, String connection, String detail) {
        limitCounter(limit).increment();
        windowed("limit " + limit, "on connection " + connection + ": " + detail);
    }

    /** Counts one bite of {@code limit} that is routine (an idle keep-alive connection closed): debug log only. */
    public void quietHit(String limit, String connection, String detail) {
        limitCounter(limit).increment();
        log.debug("limit {} on connection {}: {}", limit, connection, detail);
    }

    /** Bites of {@code limit} counted so far. */
    public double hits(String limit) {
        Counter c = registry.find(LIMIT_METER).tag("limit", limit).counter();
        return c == null ? 0 : c.count();
    }

    /** Drops counted so far for {@code reason}. */
    public double count(String reason) {
        Counter c = registry.find(METER).tag("reason", reason).counter();
        return c == null ? 0 : c.count();
    }

    /** The drops and limit hits of one connection; create it when the first one happens, close it with the connection. */
    public Tally tally(String connection) {
        return new Tally(connection);
    }

    private void windowed(String what, String message) {
        Window w = windows.computeIfAbsent(what, k -> new Window());
        long now = System.nanoTime();
        long suppressed;
        synchronized (w) {
            if (w.logged && now - w.since < SUMMARY_NANOS) {
                w.suppressed++;
                return;
            }
            suppressed = w.suppressed;
            w.logged = true;
            w.since = now;
            w.suppressed = 0;
        }
        if (suppressed == 0) {
            log.warn(
                    "{} {} (more of these are counted in /metrics and summed up here at most once a minute)",
                    what,
                    message);
        } else {
            log.warn("{} {} ({} more since the last line)", what, message, suppressed);
        }
    }

    private static final class Window {
        boolean logged;
        long since;
        long suppressed;
    }

    /**
     * What limits did to one connection: each drop and hit is counted (and shown to the listeners) as it happens, the
     * first of each reason is logged at once and the rest are summed up in one line by {@link #close()}. Used on the
     * connection's event loop only.
     */
    public final class Tally {
        private final String connection;
        private final Map<String, Sum> sums = new LinkedHashMap<>(2);

        private Tally(String connection) {
            this.connection = connection;
        }

        /** One message dropped for this connection. */
        public void drop(String reason, String channel, String detail) {
            counter(reason).increment();
            tell(reason, channel, connection, detail);
            Sum s = sums.computeIfAbsent("dropped (" + reason + ")", k -> new Sum());
            s.count++;
            if (channel != null && s.channels.size() < 5) {
                s.channels.add(channel);
            }
            if (s.count == 1) {
                log.warn(
                        "dropped ({}) on channel {} for connection {}: {} (further drops for this connection are"
                                + " counted and summed up when it ends)",
                        reason,
                        channel,
                        connection,
                        detail);
            } else {
                log.debug("dropped ({}) on channel {} for connection {}: {}", reason, channel, connection, detail);
            }
        }

        /** The limit {@code limit} bit on this connection (counted in {@value #LIMIT_METER}). */
        public void hit(String limit, String detail) {
            limitCounter(limit).increment();
            Sum s = sums.computeIfAbsent("limit " + limit, k -> new Sum());
            s.count++;
            if (s.count == 1) {
                log.info("limit {} on connection {}: {}", limit, connection, detail);
            } else {
                log.debug("limit {} on connection {}: {}", limit, connection, detail);
            }
        }

        /** How many times {@code reason} was counted here. */
        public long count(String reason) {
            Sum s = sums.get("dropped (" + reason + ")");
            return s == null ? 0 : s.count;
        }

        /** The connection ended: one line per reason that happened more than once. */
        public void close() {
            for (Map.Entry<String, Sum> e : sums.entrySet()) {
                Sum s = e.getValue();
                if (s.count > 1) {
                    log.warn(
                            "connection {}: {} {} times in all{}",
                            connection,
                            e.getKey(),
                            s.count,
                            s.channels.isEmpty() ? "" : " (channels " + String.join(", ", s.channels) + ")");
                }
            }
            sums.clear();
        }
    }

    private static final class Sum {
        long count;
        final Set<String> channels = new LinkedHashSet<>(2);
    }
}
