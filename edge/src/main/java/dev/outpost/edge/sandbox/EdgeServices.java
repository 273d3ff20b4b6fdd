package dev.outpost.edge.sandbox;

import dev.outpost.edge.backend.BackendClient;
import dev.outpost.edge.cache.AppCache;
import dev.outpost.edge.config.BackendConfig;
import dev.outpost.edge.config.KvEntry;
import dev.outpost.edge.config.LocalServerConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

/** What every sandbox of one app shares: configuration, store contents, the backend client, log output. */
public final class EdgeServices {
    private final LocalServerConfig config;
    private final BackendClient backends;
    private final LogSink logSink;
    private final Map<String, ConcurrentSkipListMap<String, KvEntry>> kvStores = new ConcurrentHashMap<>();
    private final AtomicLong requestCounter = new AtomicLong();
    private final RateLimits rateLimits = new RateLimits();
    private final String hostname;
    private final long memoryLimit;
    private final List<String> guestArgs;
    private final AppCache cache;

    public EdgeServices(LocalServerConfig config, BackendClient backends, LogSink logSink, String hostname) {
        this(config, backends, logSink, hostname, DEFAULT_MEMORY_LIMIT, List.of("app.wasm"));
    }

    /**
     * @param memoryLimit the most linear memory, in bytes, a guest may grow to before it is stopped
     * @param guestArgs what the guest sees as its command line (WASI {@code args_get})
     */
    public EdgeServices(
            LocalServerConfig config,
            BackendClient backends,
            LogSink logSink,
            String hostname,
            long memoryLimit,
            List<String> guestArgs) {
        this(config, backends, logSink, hostname, memoryLimit, guestArgs, AppCache.defaults());
    }

    /**
     * @param cache the app's cache, kept across program reloads (a reload gets the same one unless the user asks for
     *     an empty cache)
     */
    public EdgeServices(
            LocalServerConfig config,
            BackendClient backends,
            LogSink logSink,
            String hostname,
            long memoryLimit,
            List<String> guestArgs,
            AppCache cache) {
        this.cache = Objects.requireNonNull(cache, "cache");
        this.memoryLimit = memoryLimit;
        this.guestArgs = List.copyOf(guestArgs);
        this.config = Objects.requireNonNull(config, "config");
        this.backends = Objects.requireNonNull(backends, "backends");
        this.logSink = Objects.requireNonNull(logSink, "logSink");
        this.hostname = Objects.requireNonNull(hostname, "hostname");
        config.kvStores().forEach((name, entries) -> kvStores.put(name, new ConcurrentSkipListMap<>(entries)));
    }

    /** Default guest memory limit: 512 MiB. */
    public static final long DEFAULT_MEMORY_LIMIT = 512L << 20;

    public long memoryLimit() {
        return memoryLimit;
    }

    public List<String> guestArgs() {
        return guestArgs;
    }

    public LocalServerConfig config() {
        return config;
    }

    public BackendClient backendClient() {
        return backends;
    }

    public LogSink logSink() {
        return logSink;
    }

    /** The cache every request of the app shares (core, simple, HTTP and readthrough). */
    public AppCache cache() {
        return cache;
    }

    public RateLimits rateLimits() {
        return rateLimits;
    }

    public BackendConfig backend(String name) {
        return config.backends().get(name);
    }

    /** A KV store's live contents (writes are kept in memory for the life of the server), or null. */
    public ConcurrentSkipListMap<String, KvEntry> kvStore(String name) {
        return kvStores.get(name);
    }

    /** The next request id: 32 hex digits of a per-process counter, as Viceroy's {@code FASTLY_TRACE_ID}. */
    public String nextRequestId() {
        return String.format("%032x", requestCounter.getAndIncrement());
    }

    /** The environment a guest sees, as Viceroy sets it. */
    public Map<String, String> environment(String traceId) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("FASTLY_CACHE_GENERATION", "0");
        env.put("FASTLY_CUSTOMER_ID", "0000000000000000000000");
        env.put("FASTLY_HOSTNAME", hostname);
        env.put("FASTLY_IS_STAGING", "0");
        env.put("FASTLY_POP", "XXX");
        env.put("FASTLY_REGION", "Somewhere");
        env.put("FASTLY_SERVICE_ID", "0000000000000000000000");
        env.put("FASTLY_SERVICE_VERSION", "0");
        env.put("FASTLY_TRACE_ID", traceId);
        return env;
    }
}
