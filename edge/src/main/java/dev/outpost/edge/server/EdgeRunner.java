package dev.outpost.edge.server;

import dev.outpost.edge.abi.GuestTrapException;
import dev.outpost.edge.backend.BackendClient;
import dev.outpost.edge.config.LocalServerConfig;
import dev.outpost.edge.engine.Engines;
import dev.outpost.edge.engine.WasmEngine;
import dev.outpost.edge.sandbox.Body;
import dev.outpost.edge.sandbox.DownstreamRequest;
import dev.outpost.edge.sandbox.EdgeServices;
import dev.outpost.edge.sandbox.LogSink;
import dev.outpost.edge.sandbox.RequestState;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs a program's {@code _start} once, as {@code viceroy run} does for test runners: with a placeholder request
 * ({@code GET http://localhost/}), the guest's stdout and stderr passed straight through, and its exit code returned.
 */
public final class EdgeRunner {
    private EdgeRunner() {}

    /**
     * What a run did.
     *
     * @param exitCode the guest's {@code proc_exit} code, 0 when {@code _start} returned, 1 on a trap
     * @param status the status of the response the guest sent to the placeholder request, or 0 if none
     * @param trap the trap message, or null
     */
    public record Result(int exitCode, int status, String trap) {}

    /**
     * @param args the guest's command line after its name
     * @param engine {@code graalwasm} or {@code chicory}
     */
    public static Result run(
            Path wasm,
            List<String> args,
            String engine,
            LocalServerConfig localServer,
            PrintStream out,
            PrintStream err) {
        return run(wasm, args, engine, localServer, EdgeServices.DEFAULT_MEMORY_LIMIT, out, err);
    }

    /** @param memoryLimit bytes of linear memory the guest may grow to ({@code --memory-limit}) */
    public static Result run(
            Path wasm,
            List<String> args,
            String engine,
            LocalServerConfig localServer,
            long memoryLimit,
            PrintStream out,
            PrintStream err) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(wasm);
        } catch (IOException e) {
            throw new UncheckedIOException("wasm: " + wasm + ": cannot read (" + e.getMessage() + ")", e);
        }
        List<String> argv = new ArrayList<>();
        argv.add(wasm.getFileName().toString());
        argv.addAll(args);
        LogSink passThrough = (endpoint, message) -> {
            switch (endpoint) {
                case "stdout" -> out.println(message);
                case "stderr" -> err.println(message);
                default -> out.println(endpoint + " :: " + message);
            }
        };
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try (WasmEngine wasmEngine = Engines.create(engine)) {
            EdgeServices services = new EdgeServices(
                    localServer, new BackendClient(group), passThrough, "localhost", memoryLimit, argv);
            try (ComputeApp app = new ComputeApp(wasm.getFileName().toString(), wasmEngine, bytes, services)) {
                RequestState head = new RequestState();
                head.uri = "http://localhost/";
                head.headers.append("host", "localhost");
                InetSocketAddress loopback = new InetSocketAddress("127.0.0.1", 0);
                AtomicInteger status = new AtomicInteger();
                ComputeApp.Outcome outcome = app.handle(
                        new DownstreamRequest(head, Body.of(new byte[0]), loopback, loopback, services.nextRequestId()),
                        (response, body, streaming) -> status.set(response.status),
                        Duration.ofDays(1));
                GuestTrapException trap = outcome.trap();
                return new Result(
                        trap != null ? 1 : outcome.exitCode(),
                        outcome.responded() ? status.get() : 0,
                        trap != null ? trap.getMessage() : null);
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }
}
