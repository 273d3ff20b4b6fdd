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
import dev.outpost.edge.sandbox.GuestCpu;
import dev.outpost.edge.sandbox.RequestSource;
import dev.outpost.edge.sandbox.ResponseState;
import dev.outpost.edge.sandbox.Sandbox;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One loaded Compute program: its module, loaded once, and what its requests share. Each request gets a fresh
 * instance and sandbox, as on Fastly. Thread-safe.
 */
public final class ComputeApp implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EdgeServer.class);

    /** Reusable sandboxes waiting for their next request; a hand-off succeeds only while one waits. */
    private final LinkedTransferQueue<RequestSource.Assignment> idle = new LinkedTransferQueue<>();

    private final String name;
    private final WasmModule module;
    /** The module's imports, indexed for each request's hostcall table. */
    private final HostcallTable.Linking linking;

    private final EdgeServices services;

    public ComputeApp(String name, WasmEngine engine, byte[] wasm, EdgeServices services) {
        this(name, engine.load(name, wasm), services);
    }

    /** With a module loaded already (say, by a {@link ProgramPreload}); the app owns it from here on. */
    ComputeApp(String name, WasmModule module, EdgeServices services) {
        this.name = Objects.requireNonNull(name, "name");
        this.module = module;
        try {
            // Refused here, with every unknown name, rather than when a request first calls one.
            HostcallTable.checkImports(name, module.imports());
            this.linking = new HostcallTable.Linking(module.imports());
        } catch (RuntimeException e) {
            module.close();
            throw e;
        }
        this.services = Objects.requireNonNull(services, "services");
    }

    public String name() {
        return name;
    }

    public EdgeServices services() {
        return services;
    }

    WasmModule module() {
        return module;
    }

    /** Whether a reusable sandbox is waiting for a request right now. */
    public boolean hasIdleSandbox() {
        return idle.hasWaitingConsumer();
    }

    /** What became of one guest run. */
    public record Outcome(boolean responded, int exitCode, GuestTrapException trap) {}

    /**
     * Hands a request to a reusable sandbox waiting in {@code next_request_wait}, or else starts a fresh run on
     * {@code executor}.
     */
    public void dispatch(
            DownstreamRequest request, DownstreamResponder responder, Duration timeout, Executor executor) {
        if (idle.tryTransfer(new RequestSource.Assignment(request, responder))) {
            return;
        }
        executor.execute(() -> handle(request, responder, timeout));
    }

    /**
     * Runs the guest for one request on the calling thread (and any further requests it takes as a reusable sandbox).
     * Guarantees a response: a guest that traps before responding gets a 500; one that ends without responding an empty
     * 200 (as Viceroy). Bodies left open are ended. A guest error is logged with the request it happened in.
     */
    public Outcome handle(DownstreamRequest request, DownstreamResponder responder, Duration timeout) {
        Sandbox sandbox = new Sandbox(services, request, responder);
        HostcallTable hostcalls = HostcallTable.forSandbox(sandbox, linking);
        GuestTrapException trap = null;
        int exitCode = 0;
        AtomicBoolean timedOut = new AtomicBoolean();
        AtomicReference<ScheduledFuture<?>> limit = new AtomicReference<>();
        try (WasmInstance instance = module.instantiate(hostcalls)) {
            Runnable arm = () -> {
                ScheduledFuture<?> old = limit.getAndSet(GuestTimer.after(timeout.toMillis(), () -> {
                    timedOut.set(true);
                    instance.cancel();
                }));
                if (old != null) {
                    old.cancel(false);
                }
            };
            // Waiting for the next request does not count against the time limit.
            sandbox.reuse(
                    wait -> {
                        limit.get().cancel(false);
                        try (GuestCpu.Slot away = GuestCpu.waiting()) {
                            return idle.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
                        } catch (InterruptedException e) {
                            // Only shutdown interrupts an idle sandbox (the time limit is off while it waits): end it
                            // quietly.
                            return null;
                        } finally {
                            arm.run();
                        }
                    },
                    arm);
            arm.run();
            try {
                exitCode = instance.runStart();
            } finally {
                limit.get().cancel(false);
            }
        } catch (GuestTrapException e) {
            trap = timedOut.get()
                    ? new GuestTrapException(
                            "guest stopped: it ran longer than the limit of " + timeout.toMillis()
                                    + " ms (raise it with --guest-time-limit)",
                            e)
                    : e;
        } finally {
            hostcalls.close();
            Thread.interrupted();
        }
        if (trap != null) {
            var head = sandbox.downstream().head();
            log.warn("{} {}: guest error: {}", head.method, head.uri, trap.getMessage());
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
        services.backendClient().close();
        module.close();
    }
}
