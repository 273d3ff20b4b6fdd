package dev.outpost.proxy.config;

import java.time.Duration;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The proxy's limits that Pushpin has no {@code pushpin.conf} key for, read from the {@code [outpost]} section (in
 * {@link ProxyConfig#settings()} as {@code outpost/KEY}). Every one has a safe default; timeouts are whole seconds,
 * 0 turning one off. The table of all limits is {@code docs/limits.md}.
 *
 * @param clientHeaderTimeout    a new connection's first request head must be complete within this
 * @param clientKeepAliveTimeout after a response, the next request head must be complete within this
 * @param clientBodyTimeout      the longest pause in a request body while the proxy waits for it
 * @param originResponseTimeout  the longest wait for the origin's response head after the request was sent, and
 *                               between two reads of its body while the proxy waits for it
 * @param streamQueueMax         published items queued for one stream client that does not read, then dropped
 * @param websocketQueueMax      bytes not yet written to one WebSocket client, past which published messages are
 *                               dropped
 * @param websocketOverHttpQueueMax bytes of client events waiting for a WebSocket-over-HTTP origin, past which the
 *                               client is no longer read from until the origin catches up
 * @param drainTimeout           when the proxy stops (SIGTERM), how long requests still in flight may take to finish
 *                               after held ones were ended cleanly; what is open then is closed
 */
public record ProxyLimits(
        Duration clientHeaderTimeout,
        Duration clientKeepAliveTimeout,
        Duration clientBodyTimeout,
        Duration originResponseTimeout,
        int streamQueueMax,
        long websocketQueueMax,
        int websocketOverHttpQueueMax,
        Duration drainTimeout) {

    public static final String SECTION = "outpost";

    /** What each key means, its unit and its default: the one list {@link #from} and the docs follow. */
    public enum Key {
        CLIENT_HEADER_TIMEOUT("client_header_timeout", Unit.SECONDS, 60),
        CLIENT_KEEPALIVE_TIMEOUT("client_keepalive_timeout", Unit.SECONDS, 60),
        CLIENT_BODY_TIMEOUT("client_body_timeout", Unit.SECONDS, 60),
        ORIGIN_RESPONSE_TIMEOUT("origin_response_timeout", Unit.SECONDS, 60),
        STREAM_QUEUE_MAX("stream_queue_max", Unit.COUNT, 100),
        WEBSOCKET_QUEUE_MAX("websocket_queue_max", Unit.BYTES, 4L * 1024 * 1024),
        WEBSOCKET_OVER_HTTP_QUEUE_MAX("websocket_over_http_queue_max", Unit.BYTES, 200_000),
        DRAIN_TIMEOUT("drain_timeout", Unit.SECONDS, 5);

        private final String name;
        private final Unit unit;
        private final long dflt;

        Key(String name, Unit unit, long dflt) {
            this.name = name;
            this.unit = unit;
            this.dflt = dflt;
        }

        /** The key as written in the {@code [outpost]} section. */
        public String key() {
            return name;
        }

        /** The key in {@link ProxyConfig#settings()}: {@code outpost/NAME}. */
        public String setting() {
            return SECTION + "/" + name;
        }

        public long defaultValue() {
            return dflt;
        }

        /** The value of {@code text}, or an {@link IllegalArgumentException} saying what is expected. */
        public long parse(String text) {
            String t = text == null ? "" : text.strip();
            String expected = unit.expected();
            if (!t.matches("[0-9]{1,12}")) {
                throw new IllegalArgumentException(expected);
            }
            long v = Long.parseLong(t);
            if (v < unit.min || v > unit.max) {
                throw new IllegalArgumentException(expected);
            }
            return v;
        }

        /** The keys of the {@code [outpost]} section, by name. */
        public static Key named(String key) {
            for (Key k : values()) {
                if (k.name.equals(key)) {
                    return k;
                }
            }
            return null;
        }
    }

    private enum Unit {
        // a day at most: a larger timeout is a mistake more often than a wish
        SECONDS(0, 86_400, "seconds, integer 0-86400 (0: no timeout)"),
        COUNT(1, 1_000_000, "integer 1-1000000"),
        BYTES(1024, 1L << 40, "bytes, integer >= 1024");

        final long min;
        final long max;
        final String expected;

        Unit(long min, long max, String expected) {
            this.min = min;
            this.max = max;
            this.expected = expected;
        }

        String expected() {
            return expected;
        }
    }

    /** Every limit at its default. */
    public static final ProxyLimits DEFAULTS = from(Map.of());

    /** The limits of {@code config}: its {@code outpost/*} settings over the defaults. */
    public static ProxyLimits of(ProxyConfig config) {
        return from(config.settings());
    }

    /**
     * The limits given by {@code settings} ({@code outpost/KEY} entries) over the defaults; a bad value is an
     * {@link IllegalArgumentException} naming the key, the value and what is expected.
     */
    public static ProxyLimits from(Map<String, String> settings) {
        EnumMap<Key, Long> v = new EnumMap<>(Key.class);
        for (Key k : Key.values()) {
            String s = settings.get(k.setting());
            if (s == null || s.isBlank()) {
                v.put(k, k.dflt);
                continue;
            }
            try {
                v.put(k, k.parse(s));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "[" + SECTION + "] " + k.name + ": " + s.strip() + " (expected: " + e.getMessage() + ")");
            }
        }
        return new ProxyLimits(
                Duration.ofSeconds(v.get(Key.CLIENT_HEADER_TIMEOUT)),
                Duration.ofSeconds(v.get(Key.CLIENT_KEEPALIVE_TIMEOUT)),
                Duration.ofSeconds(v.get(Key.CLIENT_BODY_TIMEOUT)),
                Duration.ofSeconds(v.get(Key.ORIGIN_RESPONSE_TIMEOUT)),
                (int) (long) v.get(Key.STREAM_QUEUE_MAX),
                v.get(Key.WEBSOCKET_QUEUE_MAX),
                (int) Math.min(Integer.MAX_VALUE, v.get(Key.WEBSOCKET_OVER_HTTP_QUEUE_MAX)),
                Duration.ofSeconds(v.get(Key.DRAIN_TIMEOUT)));
    }

    /** The names of every key, for messages. */
    public static List<String> keyNames() {
        return Arrays.stream(Key.values()).map(Key::key).toList();
    }
}
