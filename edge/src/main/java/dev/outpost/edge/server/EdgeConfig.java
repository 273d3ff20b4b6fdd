package dev.outpost.edge.server;

import dev.outpost.edge.config.LocalServerConfig;
import dev.outpost.edge.engine.Engines;
import dev.outpost.edge.sandbox.LogSink;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Options of an {@link EdgeServer}.
 *
 * @param wasm the Compute program ({@code bin/main.wasm} by convention)
 * @param address where to listen; port 0 picks a free port (default 127.0.0.1:7676)
 * @param localServer the {@code [local_server]} of {@code fastly.toml}, or {@link LocalServerConfig#empty()}
 * @param engine {@code graalwasm} (default) or {@code chicory}
 * @param requestTimeout how long one guest run may take before it is stopped (default 60 s)
 * @param logSink where logging endpoints and guest stdout/stderr go (default: stdout, {@code name :: message})
 */
public record EdgeConfig(
    Path wasm,
    InetSocketAddress address,
    LocalServerConfig localServer,
    String engine,
    Duration requestTimeout,
    LogSink logSink) {

  public static final InetSocketAddress DEFAULT_ADDRESS = new InetSocketAddress("127.0.0.1", 7676);
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(60);

  public EdgeConfig {
    Objects.requireNonNull(wasm, "wasm");
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(localServer, "localServer");
    Objects.requireNonNull(engine, "engine");
    Objects.requireNonNull(requestTimeout, "requestTimeout");
    Objects.requireNonNull(logSink, "logSink");
    if (requestTimeout.isNegative() || requestTimeout.isZero()) {
      throw new IllegalArgumentException("requestTimeout: " + requestTimeout + " (expected: > 0)");
    }
  }

  /** Defaults for everything but the program. */
  public static EdgeConfig of(Path wasm) {
    return new EdgeConfig(wasm, DEFAULT_ADDRESS, LocalServerConfig.empty(), Engines.DEFAULT, DEFAULT_REQUEST_TIMEOUT,
        LogSink.stdout());
  }

  public EdgeConfig withAddress(InetSocketAddress address) {
    return new EdgeConfig(wasm, address, localServer, engine, requestTimeout, logSink);
  }

  public EdgeConfig withLocalServer(LocalServerConfig localServer) {
    return new EdgeConfig(wasm, address, localServer, engine, requestTimeout, logSink);
  }

  public EdgeConfig withEngine(String engine) {
    return new EdgeConfig(wasm, address, localServer, engine, requestTimeout, logSink);
  }

  public EdgeConfig withRequestTimeout(Duration requestTimeout) {
    return new EdgeConfig(wasm, address, localServer, engine, requestTimeout, logSink);
  }

  public EdgeConfig withLogSink(LogSink logSink) {
    return new EdgeConfig(wasm, address, localServer, engine, requestTimeout, logSink);
  }
}
