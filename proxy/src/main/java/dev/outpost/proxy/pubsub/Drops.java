package dev.outpost.proxy.pubsub;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts and logs every message the proxy drops (one instance per proxy, given to every part that drops), with the channel and the connection, so that a user can tell which
 * slow client lost what. Counter {@value #METER}, tag {@code reason}:
 *
 * <table>
 * <caption>Reasons</caption>
 * <tr><td>{@code session_queue}</td><td>a session's queue held {@code 100} items (client not reading)</td></tr>
 * <tr><td>{@code message_hwm}</td><td>more than {@code message_hwm} deliveries waited for {@code message_rate}</td></tr>
 * <tr><td>{@code sequence_buffer}</td><td>{@code 100} items already waited for their predecessors on the channel</td></tr>
 * <tr><td>{@code duplicate_id}</td><td>an ID seen on the channel within {@code id_cache_ttl}</td></tr>
 * <tr><td>{@code subscription_max}</td><td>channels past {@code connection_subscription_max} (not subscribed)</td></tr>
 * <tr><td>{@code client_maxconn}</td><td>a connection past {@code client_maxconn} (closed)</td></tr>
 * </table>
 */
public final class Drops {
    private static final Logger log = LoggerFactory.getLogger(Drops.class);
    public static final String METER = "outpost.messages.dropped";

    private final MeterRegistry registry;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();

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
        return Counter.builder(METER)
                .description("messages (or subscriptions, connections) dropped by a limit")
                .tag("reason", reason)
                .register(registry);
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

    /** Counts one drop and logs it at warn level with the channel and the connection. */
    public void drop(String reason, String channel, String connection, String detail) {
        counter(reason).increment();
        tell(reason, channel, connection, detail);
        log.warn("dropped ({}) on channel {} for connection {}: {}", reason, channel, connection, detail);
    }

    /** Counts one expected drop (a duplicate ID) and logs it at debug level only. */
    public void quietDrop(String reason, String channel, String connection, String detail) {
        counter(reason).increment();
        tell(reason, channel, connection, detail);
        log.debug("dropped ({}) on channel {} for connection {}: {}", reason, channel, connection, detail);
    }

    /** Drops counted so far for {@code reason}. */
    public double count(String reason) {
        Counter c = registry.find(METER).tag("reason", reason).counter();
        return c == null ? 0 : c.count();
    }
}
