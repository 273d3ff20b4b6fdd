package dev.outpost.edge.server;

import dev.outpost.edge.backend.BackendClient;
import dev.outpost.edge.cache.AppCache;
import dev.outpost.edge.config.LocalServerConfig;
import dev.outpost.edge.engine.Engines;
import dev.outpost.edge.engine.WasmEngine;
import dev.outpost.edge.engine.WasmModule;
import dev.outpost.edge.sandbox.EdgeServices;
import dev.outpost.origin.ClientTimeouts;
import dev.outpost.origin.OriginConnector;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local Compute server: serves HTTP on {@link EdgeConfig#address()} and runs the configured program once per
 * request, each run in a fresh instance on a guest thread of its own. Logs one line per request (method, URL, status,
 * milliseconds); a guest trap becomes a 500 and is logged, and the server keeps serving.
 *
 * <pre>{@code
 * try (EdgeServer server = new EdgeServer(EdgeConfig.of(Path.of("bin/main.wasm"))).start()) {
 *   server.port();
 * }
 * }</pre>
 */
public final class EdgeServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EdgeServer.class);
    /** Guest threads need deep stacks: SpiderMonkey's call chains run on the engine's Java stack. */
    static final long GUEST_STACK_BYTES = 64L * 1024 * 1024;

    private final EdgeConfig config;
    private WasmEngine engine;
    private volatile ComputeApp app;
    /** Warms the current program up while the server is idle; null when off. */
    private WarmUp warmUp;
    /** The app's cache: one for the life of the server, kept across reloads. */
    private AppCache cache;

    private EventLoopGroup group;
    /** How backends and the GRIP proxy are reached: one DNS resolver and TLS context cache for every program loaded. */
    private OriginConnector connector;

    private ExecutorService guests;
    private GuestLimiter limiter;
    private final AtomicLong peakBuffered = new AtomicLong();
    private Channel serverChannel;
    /** Open client connections, closed first on {@link #close()}. */
    private final ChannelGroup clients = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);

    /** Made on {@link #start()}, unless given. */
    private final Supplier<WasmEngine> engineSource;

    public EdgeServer(EdgeConfig config) {
        this(config, () -> Engines.create(config.engine()));
    }

    /**
     * As {@link #EdgeServer(EdgeConfig)}, with the engine {@code engine} gives (say, one made while the project was
     * building: starting GraalWasm takes a second or more); the server closes it.
     */
    public EdgeServer(EdgeConfig config, Supplier<WasmEngine> engine) {
        this(config, engine, null);
    }

    /**
     * As {@link #EdgeServer(EdgeConfig, Supplier)}, taking the program from {@code preload} (loaded meanwhile with the
     * same engine) when it holds what {@link EdgeConfig#wasm()} holds now; the server closes it.
     */
    public EdgeServer(EdgeConfig config, Supplier<WasmEngine> engine, ProgramPreload preload) {
        this.config = config;
        this.engineSource = engine;
        this.preload = preload;
    }

    /** The program loaded ahead, until {@link #start()} takes it; or null. */
    private ProgramPreload preload;

    /**
     * Loads the program (may take a few seconds for a JS program) and starts listening.
     *
     * @throws UncheckedIOException when the program cannot be read or the address cannot be bound
     */
    public EdgeServer start() {
        long started = System.nanoTime();
        byte[] wasm;
        try {
            wasm = Files.readAllBytes(config.wasm());
        } catch (IOException e) {
            close();
            throw new UncheckedIOException("wasm: " + config.wasm() + ": cannot read (" + e.getMessage() + ")", e);
        }
        log.info("loading {} ({} KB) with {}", config.wasm(), wasm.length / 1024, config.engine());
        group = new MultiThreadIoEventLoopGroup(NioIoHandler.newFactory());
        connector = new OriginConnector(NioSocketChannel.class, NioDatagramChannel.class);
        cache = config.cache().newCache();
        try {
            engine = engineSource.get();
            EdgeServices services = new EdgeServices(
                    config.localServer(),
                    new BackendClient(group, connector),
                    config.logSink(),
                    "localhost",
                    config.memoryLimit(),
                    List.of(config.wasm().getFileName().toString()),
                    cache);
            String name = config.wasm().getFileName().toString();
            WasmModule module = null;
            if (preload != null) {
                ProgramPreload p = preload;
                preload = null;
                module = p.take(wasm);
            }
            app = module != null
                    ? new ComputeApp(name, module, services)
                    : new ComputeApp(name, engine, wasm, services);
            warmUp = WarmUp.start(app);
            log.info(
                    "loaded {} in {} ms; engine {}",
                    config.wasm().getFileName(),
                    (System.nanoTime() - started) / 1_000_000,
                    engineDescription());
            engine.startupAdvice().ifPresent(log::info);
            guests = Executors.newCachedThreadPool(guestThreads());
            limiter = new GuestLimiter(config.limits(), guests);
            serverChannel = new ServerBootstrap()
                    .group(group)
                    .channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            clients.add(ch);
                            ch.pipeline().addLast(new HttpServerCodec());
                            Duration t = config.limits().clientTimeout();
                            ch.pipeline().addLast(new ClientTimeouts(t, t, t, EdgeServer::timedOut));
                            ch.pipeline().addLast(new HttpServerExpectContinueHandler());
                            ch.pipeline()
                                    .addLast(new EdgeRequestHandler(
                                            () -> app,
                                            limiter,
                                            config.limits(),
                                            peakBuffered,
                                            config.requestTimeout(),
                                            config.handoffPort(),
                                            config.websocketPassthrough(),
                                            config.requestListener()));
                        }
                    })
                    .bind(config.address())
                    .syncUninterruptibly()
                    .channel();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        // Viceroy's words: scripts wait for this line.
        String host = address().getHostString();
        log.info("Listening on http://{}:{}", host.contains(":") ? "[" + host + "]" : host, port());
        return this;
    }

    /** A slow client closed by {@link ClientTimeouts}: worth a debug line only (nginx logs nothing either). */
    private static void timedOut(ChannelHandlerContext ctx, ClientTimeouts.Kind kind, Duration after) {
        log.debug(
                "client connection {}: {} ({} s), closed",
                ctx.channel().remoteAddress(),
                kind.key(),
                after.toSeconds());
    }

    private static ThreadFactory guestThreads() {
        return Thread.ofPlatform()
                .daemon()
                .name("edge-guest-", 1)
                .stackSize(GUEST_STACK_BYTES)
                .factory();
    }

    /**
     * Loads {@code wasm} with {@code localServer} and serves new requests with it. Requests already running (and
     * connections handed off to a GRIP proxy) carry on; the old program is closed once they had time to finish. The
     * cache is kept.
     *
     * @throws UncheckedIOException when the program cannot be read
     */
    public void reload(Path wasm, LocalServerConfig localServer) {
        reload(wasm, localServer, false);
    }

    /**
     * As {@link #reload(Path, dev.outpost.edge.config.LocalServerConfig)}; with {@code clearCache} the new program
     * starts with an empty cache.
     */
    public synchronized void reload(Path wasm, LocalServerConfig localServer, boolean clearCache) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(wasm);
        } catch (IOException e) {
            throw new UncheckedIOException("wasm: " + wasm + ": cannot read (" + e.getMessage() + ")", e);
        }
        long started = System.nanoTime();
        EdgeServices services = new EdgeServices(
                localServer,
                new BackendClient(group, connector),
                config.logSink(),
                "localhost",
                config.memoryLimit(),
                List.of(wasm.getFileName().toString()),
                cache);
        ComputeApp fresh = new ComputeApp(wasm.getFileName().toString(), engine, bytes, services);
        ComputeApp old = app;
        if (clearCache) {
            cache.store().clear();
        }
        app = fresh;
        if (warmUp != null) {
            warmUp.close();
        }
        warmUp = WarmUp.start(fresh);
        log.info(
                "reloaded {} in {} ms{}",
                wasm,
                (System.nanoTime() - started) / 1_000_000,
                clearCache ? "; cache emptied" : "");
        if (old != null) {
            retired.add(old);
            group.schedule(
                    () -> {
                        if (retired.remove(old)) {
                            old.close();
                        }
                    },
                    config.requestTimeout().toMillis() + 5000,
                    TimeUnit.MILLISECONDS);
        }
    }

    private final Set<ComputeApp> retired = ConcurrentHashMap.newKeySet();

    public InetSocketAddress address() {
        return (InetSocketAddress) serverChannel.localAddress();
    }

    public int port() {
        return address().getPort();
    }

    ComputeApp app() {
        return app;
    }

    /**
     * What the guard rails see now: guest runs (and those of them on the CPU), waiting requests, refusals, request body
     * bytes held at most.
     */
    public record Stats(
            int runningGuests,
            int guestsOnCpu,
            int queuedRequests,
            long refusedRequests,
            long peakRequestBodyBuffered) {}

    public Stats stats() {
        return new Stats(limiter.running(), limiter.onCpu(), limiter.queued(), limiter.refused(), peakBuffered.get());
    }

    /** The app's cache (its store, and whether backend requests read through it). */
    public AppCache cache() {
        return cache;
    }

    /** The engine's name and, for GraalWasm, whether its JIT is on. */
    public String engineDescription() {
        return engine.description();
    }

    /**
     * Stops in an order that leaves nobody writing to a stopped event loop (issue #18): no new connections; the open
     * ones closed (response bodies still streaming see it and stop); guest threads interrupted and programs closed,
     * which cancels guests still running in Wasm; then, with nothing left to write, the event loops.
     */
    @Override
    public void close() {
        if (warmUp != null) {
            warmUp.close();
        }
        if (serverChannel != null) {
            serverChannel.close().syncUninterruptibly();
        }
        clients.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        if (limiter != null) {
            limiter.close();
        }
        if (guests != null) {
            guests.shutdownNow();
        }
        if (preload != null) {
            preload.close();
            preload = null;
        }
        if (app != null) {
            app.close();
        }
        for (ComputeApp old : retired) {
            old.close();
        }
        retired.clear();
        if (engine != null) {
            engine.close();
        }
        if (guests != null) {
            try {
                guests.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (connector != null) {
            connector.close();
        }
        if (group != null) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
