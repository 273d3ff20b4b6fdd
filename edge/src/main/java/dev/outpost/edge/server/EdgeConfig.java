package dev.outpost.edge.server;

import dev.outpost.edge.cache.CacheSettings;
import dev.outpost.edge.config.LocalServerConfig;
import dev.outpost.edge.engine.Engines;
import dev.outpost.edge.sandbox.EdgeServices;
import dev.outpost.edge.sandbox.LogSink;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Options of an {@link EdgeServer}.
 *
 * <table>
 *   <caption>Defaults</caption>
 *   <tr><th>option</th><th>default</th></tr>
 *   <tr><td>address</td><td>127.0.0.1:7676 (port 0 picks a free port)</td></tr>
 *   <tr><td>localServer</td><td>empty: no backends or stores</td></tr>
 *   <tr><td>engine</td><td>{@code graalwasm}; or {@code chicory}</td></tr>
 *   <tr><td>requestTimeout</td><td>60 s per guest run (time spent waiting for a reused sandbox's next request does
 *   not count)</td></tr>
 *   <tr><td>memoryLimit</td><td>512 MiB of guest linear memory</td></tr>
 *   <tr><td>logSink</td><td>standard output, {@code <endpoint> :: <message>}</td></tr>
 *   <tr><td>cache</td><td>64 MiB, readthrough on</td></tr>
 * </table>
 *
 * @param wasm the Compute program ({@code bin/main.wasm} by convention)
 * @param localServer the {@code [local_server]} of {@code fastly.toml}
 * @param logSink where logging endpoints and guest stdout/stderr go
 * @param handoffPort the GRIP proxy's client port on 127.0.0.1 that Fanout handoffs go to, or 0 when Fanout is off
 *     (a handoff then gets Viceroy's 500)
 * @param requestListener told about every finished request (default: nobody)
 * @param cache the app's cache: its size and whether backend requests read through it
 * @param limits guest runs at once, the wait queue, request body buffering ({@link EdgeLimits#DEFAULT})
 * @param websocketPassthrough whether WebSocket handoffs to a backend are served (default: yes; off, a handoff gets a
 *     500, as Viceroy's {@code --enable-local-websocket-passthrough=false})
 */
public record EdgeConfig(
        Path wasm,
        InetSocketAddress address,
        LocalServerConfig localServer,
        String engine,
        Duration requestTimeout,
        long memoryLimit,
        LogSink logSink,
        int handoffPort,
        EdgeRequestListener requestListener,
        CacheSettings cache,
        EdgeLimits limits,
        boolean websocketPassthrough) {

    public static final InetSocketAddress DEFAULT_ADDRESS = new InetSocketAddress("127.0.0.1", 7676);
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(60);

    public EdgeConfig {
        Objects.requireNonNull(wasm, "wasm");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(localServer, "localServer");
        Objects.requireNonNull(engine, "engine");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        Objects.requireNonNull(logSink, "logSink");
        Objects.requireNonNull(requestListener, "requestListener");
        Objects.requireNonNull(cache, "cache");
        Objects.requireNonNull(limits, "limits");
        if (!Engines.names().contains(engine)) {
            throw new IllegalArgumentException("engine: " + engine + " (expected: one of " + Engines.names() + ")");
        }
        if (requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("requestTimeout: " + requestTimeout + " (expected: > 0)");
        }
        if (handoffPort < 0 || handoffPort > 65535) {
            throw new IllegalArgumentException("handoffPort: " + handoffPort + " (expected: 0-65535)");
        }
        if (memoryLimit < (1L << 20)) {
            throw new IllegalArgumentException("memoryLimit: " + memoryLimit + " (expected: >= 1 MiB)");
        }
    }

    /** Defaults for everything but the program. */
    public static EdgeConfig of(Path wasm) {
        return new EdgeConfig(
                wasm,
                DEFAULT_ADDRESS,
                LocalServerConfig.empty(),
                Engines.DEFAULT,
                DEFAULT_REQUEST_TIMEOUT,
                EdgeServices.DEFAULT_MEMORY_LIMIT,
                LogSink.stdout(),
                0,
                EdgeRequestListener.NONE,
                CacheSettings.DEFAULT,
                EdgeLimits.DEFAULT,
                true);
    }

    public EdgeConfig withAddress(InetSocketAddress address) {
        return new EdgeConfig(
                wasm,
                address,
                localServer,
                engine,
                requestTimeout,
                memoryLimit,
                logSink,
                handoffPort,
                requestListener,
                cache,
                limits,
                websocketPassthrough);
    }

    public EdgeConfig withLocalServer(LocalServerConfig localServer) {
        return new EdgeConfig(
                wasm,
                address,
                localServer,
                engine,
                requestTimeout,
                memoryLimit,
                logSink,
                handoffPort,
                requestListener,
                cache,
                limits,
                websocketPassthrough);
    }

    public EdgeConfig withEngine(String engine) {
        return new EdgeConfig(
                wasm,
                address,
                localServer,
                engine,
                requestTimeout,
                memoryLimit,
                logSink,
                handoffPort,
                requestListener,
                cache,
                limits,
                websocketPassthrough);
    }

    public EdgeConfig withRequestTimeout(Duration requestTimeout) {
        return new EdgeConfig(
                wasm,
                address,
                localServer,
                engine,
                requestTimeout,
                memoryLimit,
                logSink,
                handoffPort,
                requestListener,
                cache,
                limits,
                websocketPassthrough);
    }

    public EdgeConfig withMemoryLimit(long memoryLimit) {
        return new EdgeConfig(
                wasm,
                address,
                localServer,
                engine,
                requestTimeout,
                memoryLimit,
                logSink,
                handoffPort,
                requestListener,
                cache,
                limits,
                websocketPassthrough);
    }

    public EdgeConfig withLogSink(LogSink logSink) {
        return new EdgeConfig(
                wasm,
                address,
                localServer,
                engine,
                requestTimeout,
                memoryLimit,
                logSink,
                handoffPort,
                requestListener,
                cache,
                limits,
                websocketPassthrough);
    }

    public EdgeConfig withWasm(Path wasm) {
        return new EdgeConfig(
                wasm,
                address,
                localServer,
                engine,
                requestTimeout,
                memoryLimit,
                logSink,
                handoffPort,
                requestListener,
                cache,
                limits,
                websocketPassthrough);
    }

    /** Sends Fanout handoffs to a GRIP proxy listening on {@code 127.0.0.1:port} (0: Fanout off). */
    public EdgeConfig withHandoffPort(int port) {
        return new EdgeConfig(
                wasm,
                address,
                localServer,
                engine,
                requestTimeout,
                memoryLimit,
                logSink,
                port,
                requestListener,
                cache,
                limits,
                websocketPassthrough);
    }

    /** Guest runs at once, their queue and request body buffering. */
    public EdgeConfig withLimits(EdgeLimits limits) {
        return new EdgeConfig(
                wasm,
                address,
                localServer,
                engine,
                requestTimeout,
                memoryLimit,
                logSink,
                handoffPort,
                requestListener,
                cache,
                limits,
                websocketPassthrough);
    }

    /** Sets up the app's cache (size, readthrough). */
    public EdgeConfig withCache(CacheSettings cache) {
        return new EdgeConfig(
                wasm,
                address,
                localServer,
                engine,
                requestTimeout,
                memoryLimit,
                logSink,
                handoffPort,
                requestListener,
                cache,
                limits,
                websocketPassthrough);
    }

    /** Reports every finished request to {@code listener} as well as to the log. */
    public EdgeConfig withRequestListener(EdgeRequestListener listener) {
        return new EdgeConfig(
                wasm,
                address,
                localServer,
                engine,
                requestTimeout,
                memoryLimit,
                logSink,
                handoffPort,
                listener,
                cache,
                limits,
                websocketPassthrough);
    }

    /** Serves WebSocket handoffs to backends, or answers them with a 500 ({@code false}). */
    public EdgeConfig withWebsocketPassthrough(boolean enabled) {
        return new EdgeConfig(
                wasm,
                address,
                localServer,
                engine,
                requestTimeout,
                memoryLimit,
                logSink,
                handoffPort,
                requestListener,
                cache,
                limits,
                enabled);
    }
}
