package dev.outpost.edge.server;

import dev.outpost.edge.abi.GuestTrapException;
import dev.outpost.edge.engine.WasmEngine;
import dev.outpost.edge.engine.WasmInstance;
import dev.outpost.edge.engine.WasmModule;
import dev.outpost.edge.hostcalls.HostcallTable;
import dev.outpost.edge.sandbox.Body;
import dev.outpost.edge.sandbox.DownstreamRequest;
import dev.outpost.edge.sandbox.DownstreamResponder;
import dev.outpost.edge.sandbox.EdgeServices;
import dev.outpost.edge.sandbox.ResponseState;
import dev.outpost.edge.sandbox.Sandbox;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One loaded Compute program: its module, loaded once, and what its requests share. Each request gets a fresh
 * instance and sandbox, as on Fastly. Thread-safe.
 */
public final class ComputeApp implements AutoCloseable {
  private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "edge-guest-limits");
    t.setDaemon(true);
    return t;
  });

  private final String name;
  private final WasmModule module;
  private final EdgeServices services;

  public ComputeApp(String name, WasmEngine engine, byte[] wasm, EdgeServices services) {
    this.name = Objects.requireNonNull(name, "name");
    this.module = engine.load(name, wasm);
    this.services = Objects.requireNonNull(services, "services");
  }

  public String name() {
    return name;
  }

  public EdgeServices services() {
    return services;
  }

  /** What became of one guest run. */
  public record Outcome(boolean responded, int exitCode, GuestTrapException trap) {}

  /**
   * Runs the guest for one request on the calling thread. Guarantees a response: a guest that traps before responding
   * gets a 500; one that ends without responding an empty 200 (as Viceroy). Bodies left open are ended.
   */
  public Outcome handle(DownstreamRequest request, DownstreamResponder responder, Duration timeout) {
    Sandbox sandbox = new Sandbox(services, request, responder);
    HostcallTable hostcalls = HostcallTable.forSandbox(sandbox);
    GuestTrapException trap = null;
    int exitCode = 0;
    AtomicBoolean timedOut = new AtomicBoolean();
    try (WasmInstance instance = module.instantiate(hostcalls)) {
      ScheduledFuture<?> limit = TIMER.schedule(() -> {
        timedOut.set(true);
        instance.cancel();
      }, timeout.toMillis(), TimeUnit.MILLISECONDS);
      try {
        exitCode = instance.runStart();
      } finally {
        limit.cancel(false);
      }
    } catch (GuestTrapException e) {
      trap = timedOut.get()
          ? new GuestTrapException("guest stopped: it ran longer than the limit of " + timeout.toMillis() + " ms", e)
          : e;
    } finally {
      hostcalls.close();
      Thread.interrupted();
    }
    boolean responded = sandbox.responded();
    if (!responded) {
      ResponseState head = new ResponseState();
      head.status = trap != null ? 500 : 200;
      sandbox.respond(head, Body.of(new byte[0]), false);
    }
    sandbox.close();
    return new Outcome(responded, exitCode, trap);
  }

  @Override
  public void close() {
    module.close();
  }
}
