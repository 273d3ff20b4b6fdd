package dev.outpost.edge.server;

import dev.outpost.edge.abi.FastlyStatus;
import dev.outpost.edge.abi.GuestTrapException;
import dev.outpost.edge.abi.Hostcall;
import dev.outpost.edge.engine.ImportResolver;
import dev.outpost.edge.engine.WasmInstance;
import dev.outpost.edge.engine.WasmModule;
import dev.outpost.edge.hostcalls.HostcallTable;
import dev.outpost.edge.sandbox.Body;
import dev.outpost.edge.sandbox.DownstreamRequest;
import dev.outpost.edge.sandbox.DownstreamResponder;
import dev.outpost.edge.sandbox.EdgeServices;
import dev.outpost.edge.sandbox.GripHandoff;
import dev.outpost.edge.sandbox.RequestState;
import dev.outpost.edge.sandbox.ResponseState;
import dev.outpost.edge.sandbox.Sandbox;
import java.net.InetSocketAddress;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a freshly loaded program on made-up requests ({@code GET /}) on a thread of its own while the server is idle,
 * so the engine's code (HotSpot's compilation of the Wasm interpreter, the Truffle JIT's compilation of the guest: the
 * JS engine inside every JS app) warms up before the developer's first requests rather than during them.
 *
 * <p>A warm-up run is invisible from outside: it has a sandbox of its own with copies of the stores, its response and
 * any handoff go nowhere, its log and console output is dropped, and every hostcall that would reach the network
 * (backend sends) fails as if the backend were down. It yields to real requests: it waits while any real request runs
 * and until the server has been idle for a moment. It stops after a budget of runs or time, when the program is
 * replaced, or at the first run that traps (a program that needs a real request is not warmed further).
 *
 * <p>{@code -Doutpost.edge.warmUp=0} turns it off; {@code =N} sets the number of runs.
 */
final class WarmUp implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WarmUp.class);

    static final String RUNS_PROPERTY = "outpost.edge.warmUp";
    /** Enough runs for the JIT to compile a JS app's request path (about 1 ms each once compiled). */
    static final int DEFAULT_RUNS = 1500;

    private static final long MAX_NANOS = TimeUnit.MINUTES.toNanos(3);
    /** How long the server must have been idle before a warm-up run starts. */
    private static final long IDLE_NANOS = TimeUnit.MILLISECONDS.toNanos(30);

    private static final long RUN_LIMIT_MS = 10_000;

    private final WasmModule module;
    private final EdgeServices services;

    private final int runs;
    private final Thread thread;
    private volatile boolean stopped;
    private volatile WasmInstance current;

    private WarmUp(String name, WasmModule module, EdgeServices services, int runs) {
        this.module = module;
        this.services = services;
        this.runs = runs;
        this.thread = Thread.ofPlatform()
                .daemon()
                .name("edge-warmup-" + name)
                .stackSize(EdgeServer.GUEST_STACK_BYTES)
                .unstarted(this::loop);
    }

    /** Starts warming {@code app} up; null when turned off. */
    static WarmUp start(ComputeApp app) {
        int runs = Integer.getInteger(RUNS_PROPERTY, DEFAULT_RUNS);
        if (runs <= 0) {
            return null;
        }
        EdgeServices real = app.services();
        // Copies of the stores (a KV write stays here), no log output; the backend client is never reached.
        EdgeServices quiet = new EdgeServices(
                real.config(),
                real.backendClient(),
                (endpoint, message) -> {},
                "localhost",
                real.memoryLimit(),
                real.guestArgs());
        WarmUp w = new WarmUp(app.name(), app.module(), quiet, runs);
        w.thread.start();
        return w;
    }

    private void loop() {
        long started = System.nanoTime();
        int done = 0;
        long ownTaken = 0;
        try {
            while (!stopped && done < runs && System.nanoTime() - started < MAX_NANOS) {
                if (!awaitIdle(ownTaken)) {
                    break;
                }
                if (!runOnce()) {
                    break;
                }
                ownTaken++;
                done++;
            }
        } catch (InterruptedException e) {
            // closed
        } catch (RuntimeException e) {
            log.debug("warm-up stopped: {}", e.toString());
        }
        log.debug("warm-up: {} runs in {} ms", done, (System.nanoTime() - started) / 1_000_000);
    }

    /**
     * Waits until no real request runs and none started for {@link #IDLE_NANOS}. Real requests are told apart from
     * warm-up runs by count: the module counts every instance, and this thread takes them one at a time.
     */
    private boolean awaitIdle(long ownTaken) throws InterruptedException {
        long baseline = module.instancesTaken() - ownTaken;
        long quietSince = System.nanoTime();
        while (!stopped) {
            long real = module.instancesTaken() - ownTaken;
            if (module.instancesInUse() > 0 || real != baseline) {
                baseline = real;
                quietSince = System.nanoTime();
            } else if (System.nanoTime() - quietSince >= IDLE_NANOS) {
                return true;
            }
            Thread.sleep(5);
        }
        return false;
    }

    /** One made-up request; false when it trapped (then warming stops). */
    private boolean runOnce() {
        RequestState head = new RequestState();
        head.uri = "http://localhost/";
        head.headers.append("host", "localhost");
        head.headers.append("user-agent", "outpost-warm-up");
        head.headers.append("accept", "*/*");
        InetSocketAddress loopback = new InetSocketAddress("127.0.0.1", 0);
        DownstreamResponder nowhere = new DownstreamResponder() {
            @Override
            public void send(ResponseState response, Body body, boolean streaming) {}

            @Override
            public void handoff(GripHandoff handoff) {}
        };
        Sandbox sandbox = new Sandbox(
                services,
                new DownstreamRequest(head, Body.of(new byte[0]), loopback, loopback, services.nextRequestId()),
                nowhere);
        HostcallTable hostcalls = HostcallTable.forSandbox(sandbox);
        ImportResolver offline = function -> reachesNetwork(function) ? DOWN : hostcalls.resolve(function);
        try (WasmInstance instance = module.instantiate(offline)) {
            current = instance;
            ScheduledFuture<?> limit = GuestTimer.after(RUN_LIMIT_MS, instance::cancel);
            try {
                instance.runStart();
            } finally {
                limit.cancel(false);
                current = null;
            }
            return true;
        } catch (GuestTrapException e) {
            log.debug("warm-up run trapped; not warming further: {}", e.getMessage());
            return false;
        } finally {
            hostcalls.close();
            sandbox.close();
            Thread.interrupted();
        }
    }

    /** A backend that cannot be reached. */
    private static final Hostcall DOWN = (memory, args) -> FastlyStatus.ERROR.code();

    /**
     * Hostcalls whose effects would outlive the run: sends to a backend (or another service), and writes to caches that
     * real requests may share.
     */
    static boolean reachesNetwork(WasmModule.FunctionImport function) {
        String module = function.module();
        String name = function.name();
        return (name.startsWith("send") && !name.equals("send_downstream"))
                || module.equals("fastly_cache")
                || module.equals("fastly_http_cache")
                || module.equals("fastly_image_optimizer");
    }

    @Override
    public void close() {
        stopped = true;
        thread.interrupt();
        WasmInstance running = current;
        if (running != null) {
            running.cancel();
        }
    }
}
