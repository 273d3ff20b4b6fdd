package dev.outpost.bus.redis;

import dev.outpost.proxy.config.ProxyConfig;
import java.util.Optional;

/**
 * How a node uses its bus, from {@code pushpin.conf}'s {@code [handler]} section (or {@code --bus}).
 *
 * @param uri                 {@code bus}
 * @param queueMax            {@code bus_queue_max}: items sent and not yet confirmed at most; past it a publish is
 *                            answered 503 at once (default {@value #DEFAULT_QUEUE_MAX})
 * @param timeoutMs           {@code bus_timeout}: how long a publish waits for the bus to confirm before it is
 *                            answered 503 (default {@value #DEFAULT_TIMEOUT_MS} ms)
 */
public record BusSettings(BusUri uri, int queueMax, int timeoutMs) {
    public static final int DEFAULT_QUEUE_MAX = 10_000;
    public static final int DEFAULT_TIMEOUT_MS = 1500;

    public BusSettings {
        if (queueMax < 1) {
            throw new IllegalArgumentException("bus_queue_max: " + queueMax + " (expected: >= 1)");
        }
        if (timeoutMs < 100) {
            throw new IllegalArgumentException("bus_timeout: " + timeoutMs + " (expected: >= 100 ms)");
        }
    }

    /** The bus {@code config} names, or empty for none (a node alone). */
    public static Optional<BusSettings> from(ProxyConfig config) {
        Optional<String> bus = config.setting("handler/bus").map(String::strip).filter(s -> !s.isEmpty());
        if (bus.isEmpty()) {
            return Optional.empty();
        }
        int queue = config.setting("handler/bus_queue_max")
                .map(String::strip)
                .map(Integer::parseInt)
                .orElse(DEFAULT_QUEUE_MAX);
        int timeout = config.setting("handler/bus_timeout")
                .map(String::strip)
                .map(Integer::parseInt)
                .orElse(DEFAULT_TIMEOUT_MS);
        return Optional.of(new BusSettings(BusUri.parse(bus.get()), queue, timeout));
    }
}
