package dev.outpost.proxy.observe;

import dev.outpost.proxy.pubsub.BusStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.ToDoubleFunction;

/**
 * The proxy's metrics in the Prometheus text format. Pushpin's five come first, exactly as Pushpin 1.36 exports them,
 * so its dashboards and alerts keep working: the same names ({@code request_received}, {@code connection_connected},
 * {@code connection_minute}, {@code message_received}, {@code message_sent}, no {@code _total} suffix), the same
 * types (counters but {@code connection_connected}, a gauge) and integer values. Outpost's own follow, from a
 * Micrometer registry, all named {@code outpost_*}. {@code prefix} ({@code prometheus_prefix}) goes in front of every
 * name, as in Pushpin. See docs/inspector.md.
 */
public final class ProxyMetrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final String prefix;
    private final Model.Counts counts;
    final LongAdder requestReceived = new LongAdder();
    final LongAdder messageReceived = new LongAdder();
    final LongAdder messageSent = new LongAdder();
    final Counter keepAlives;
    private final Map<DropReason, Counter> dropped = new EnumMap<>(DropReason.class);
    final Timer deliveryLatency;
    private final Map<String, Timer> originTimers = new ConcurrentHashMap<>();
    private final Map<Integer, Timer> edgeTimers = new ConcurrentHashMap<>();
    private final List<Map.Entry<MeterRegistry, String>> mirrors = new CopyOnWriteArrayList<>();
    private final Set<String> mirrored = ConcurrentHashMap.newKeySet();

    ProxyMetrics(
            String prefix,
            Model.Counts counts,
            ToDoubleFunction<Object> subscriptions,
            ToDoubleFunction<Object> channels,
            Object hubRef) {
        this.prefix = prefix == null ? "" : prefix;
        this.counts = counts;
        if (prefix != null && !prefix.isEmpty()) {
            registry.config().meterFilter(new MeterFilter() {
                @Override
                public Meter.Id map(Meter.Id id) {
                    return id.withName(prefix + id.getName());
                }
            });
        }
        for (String t : new String[] {"http", "ws"}) {
            Gauge.builder("outpost.connections", counts, c -> c.byTransport(t))
                    .tag("transport", t)
                    .description("Client connections open by transport")
                    .register(registry);
        }
        Gauge.builder("outpost.holds", counts, c -> c.holdsResponse)
                .tag("mode", "response")
                .description("Held requests by mode")
                .register(registry);
        Gauge.builder("outpost.holds", counts, c -> c.holdsStream)
                .tag("mode", "stream")
                .description("Held requests by mode")
                .register(registry);
        Gauge.builder("outpost.subscriptions", hubRef, subscriptions)
                .description("Channel subscriptions")
                .register(registry);
        Gauge.builder("outpost.channels", hubRef, channels)
                .description("Channels with at least one subscriber")
                .register(registry);
        for (DropReason r : DropReason.values()) {
            dropped.put(
                    r,
                    Counter.builder("outpost.messages.not.delivered")
                            .tag("reason", r.label())
                            .description("Published items that did not reach a connection, by reason")
                            .register(registry));
        }
        keepAlives = Counter.builder("outpost.keepalives.sent")
                .description("Keep-alives sent to clients")
                .register(registry);
        deliveryLatency = Timer.builder("outpost.publish.delivery")
                .description("From an item's arrival on the publish API to its delivery to one connection")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(50_000))
                .maximumExpectedValue(Duration.ofSeconds(10))
                .register(registry);
    }

    /** The bus's meters ({@code outpost_bus_*}), read from {@code bus} at each scrape. */
    void bus(BusStatus bus) {
        Gauge.builder("outpost.bus.connected", bus, b -> b.connected() ? 1 : 0)
                .description("1 while the node is connected to its bus, else 0")
                .register(registry);
        FunctionCounter.builder("outpost.bus.messages", bus, BusStatus::messagesIn)
                .tag("direction", "in")
                .description("Items received from (in) or put on (out) the bus")
                .register(registry);
        FunctionCounter.builder("outpost.bus.messages", bus, BusStatus::messagesOut)
                .tag("direction", "out")
                .description("Items received from (in) or put on (out) the bus")
                .register(registry);
        FunctionCounter.builder("outpost.bus.publish.failed", bus, BusStatus::publishFailures)
                .description("Publishes answered 503 because the bus did not take them")
                .register(registry);
        Gauge.builder("outpost.bus.queued", bus, BusStatus::queued)
                .description("Items sent to the bus and not yet confirmed")
                .register(registry);
        Gauge.builder("outpost.bus.lag.seconds", bus, b -> b.lagMillis() / 1000.0)
                .description("From the bus's timestamp of the last item received to its arrival")
                .register(registry);
        Gauge.builder("outpost.bus.channels", bus, BusStatus::busChannels)
                .description("Channels this node is subscribed to on the bus")
                .register(registry);
    }

    void dropped(DropReason r) {
        dropped.get(r).increment();
    }

    void origin(String route, int status, long nanos) {
        String r = route == null ? "" : route;
        String s = Integer.toString(status);
        originTimers
                .computeIfAbsent(
                        r + "\n" + s,
                        k -> Timer.builder("outpost.origin.request")
                                .description("From a client request's arrival to the origin's response head")
                                .tag("route", r)
                                .tag("status", s)
                                .publishPercentileHistogram()
                                .maximumExpectedValue(Duration.ofSeconds(30))
                                .register(registry))
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    void edge(int status, long millis) {
        edgeTimers
                .computeIfAbsent(
                        status,
                        k -> Timer.builder("outpost.edge.request")
                                .description("Requests served by the local Compute server")
                                .tag("status", Integer.toString(k))
                                .publishPercentileHistogram()
                                .maximumExpectedValue(Duration.ofSeconds(30))
                                .register(registry))
                .record(millis, TimeUnit.MILLISECONDS);
    }

    /**
     * Shows the counters named {@code name} of another registry (say, the hub's drop counts) on this one, with the
     * same tags; new tag values are picked up at each scrape.
     */
    public void mirror(MeterRegistry source, String name) {
        mirrors.add(Map.entry(source, name));
    }

    private void syncMirrors() {
        for (Map.Entry<MeterRegistry, String> m : mirrors) {
            for (Counter c : m.getKey().find(m.getValue()).counters()) {
                String key = m.getValue() + c.getId().getTags();
                if (mirrored.add(key)) {
                    FunctionCounter.builder(m.getValue(), c, Counter::count)
                            .tags(c.getId().getTags())
                            .description(c.getId().getDescription())
                            .register(registry);
                }
            }
        }
    }

    /** The registry, to add meters of one's own. */
    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** The Prometheus text exposition (format 0.0.4): Pushpin's five, then Outpost's own. */
    public String scrape() {
        syncMirrors();
        StringBuilder text = new StringBuilder(4096);
        pushpin(text, "request_received", "counter", "Client requests received", requestReceived.sum());
        pushpin(text, "connection_connected", "gauge", "Client connections open", counts.connections);
        pushpin(text, "connection_minute", "counter", "Minutes client connections have been open, summed", (long)
                Math.floor(counts.connectionMinutes));
        pushpin(text, "message_received", "counter", "Items received on the publish API", messageReceived.sum());
        pushpin(text, "message_sent", "counter", "Items sent to clients", messageSent.sum());
        return text.append(registry.scrape()).toString();
    }

    private void pushpin(StringBuilder text, String name, String type, String help, long value) {
        String n = prefix + name;
        text.append("# HELP ").append(n).append(' ').append(help).append('\n');
        text.append("# TYPE ").append(n).append(' ').append(type).append('\n');
        text.append(n).append(' ').append(value).append('\n');
    }
}
