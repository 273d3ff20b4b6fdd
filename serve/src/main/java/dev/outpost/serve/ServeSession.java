package dev.outpost.serve;

import dev.outpost.edge.cache.CacheSettings;
import dev.outpost.edge.config.BackendConfig;
import dev.outpost.edge.config.FastlyManifest;
import dev.outpost.edge.config.FastlyTomlException;
import dev.outpost.edge.config.LocalServerConfig;
import dev.outpost.edge.config.PushpinConfig;
import dev.outpost.edge.config.PushpinRoutes;
import dev.outpost.edge.server.EdgeConfig;
import dev.outpost.edge.server.EdgeProject;
import dev.outpost.edge.server.EdgeServer;
import dev.outpost.proxy.OutpostProxy;
import dev.outpost.proxy.config.ProxyConfig;
import dev.outpost.proxy.observe.InspectorOption;
import dev.outpost.proxy.route.Route;
import dev.outpost.proxy.route.RouteTable;
import dev.outpost.proxy.route.RoutesException;
import dev.outpost.proxy.route.RoutesParser;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One {@code outpost serve}: builds the project, starts the GRIP proxy when Fanout is on (in-process, or an external
 * Pushpin), then the Compute server, and prints what listens where. {@link #close()} stops everything it started.
 */
public final class ServeSession implements AutoCloseable {
    /** What Fastly's local Fanout setup signs with (development only; the CLI's values). */
    public static final String SIG_ISS = "viceroy";

    public static final String SIG_KEY = "viceroy_dev_signing_key_dont_use_in_production";
    /** Fanout's publish message limit. */
    public static final int PUBLISH_MAX_BODY = 65536;

    private final ServeOptions options;
    private final PrintStream out;
    private final PrintStream err;
    private EdgeProject project;
    private Fanout fanout;
    private OutpostProxy proxy;
    private ExternalPushpin pushpin;
    private EdgeServer edge;
    private ProjectWatcher watcher;
    private List<String> routeLines = List.of();
    private CacheSettings cacheSettings = CacheSettings.DEFAULT;
    private InspectorOption inspector = InspectorOption.DEFAULT;
    /** Why the inspector is not running, for the banner. */
    private String inspectorOff;

    /**
     * Fanout as resolved from flags, fastly.toml and defaults (flags win).
     *
     * @param pushpinPath an external Pushpin to run, or null for the in-process proxy
     */
    public record Fanout(boolean enabled, String pushpinPath, int proxyPort, int publishPort) {}

    /** Proxy, publish API and Compute server on free ports (tests), see {@link #startOnFreePorts}. */
    private final boolean freePorts;

    private ServeSession(ServeOptions options, PrintStream out, PrintStream err, boolean freePorts) {
        this.options = options;
        this.out = out;
        this.err = err;
        this.freePorts = freePorts;
    }

    /** Starts everything; on failure stops what was started and throws. */
    public static ServeSession start(ServeOptions options, PrintStream out, PrintStream err) throws ServeException {
        return start(new ServeSession(options, out, err, false));
    }

    /**
     * As {@link #start}, for tests: the in-process GRIP proxy and its publish API listen on free ports whatever
     * {@code fastly.toml} and the flags say (an external Pushpin is not used), the Compute server on
     * {@link ServeOptions#address()} (port 0: a free one), and backends that point at the Compute server's default
     * address (localhost or 127.0.0.1, port 7676, like the usual {@code self}) follow it to its port.
     */
    public static ServeSession startOnFreePorts(ServeOptions options, PrintStream out, PrintStream err)
            throws ServeException {
        return start(new ServeSession(options, out, err, true));
    }

    private static ServeSession start(ServeSession s) throws ServeException {
        try {
            s.run();
            return s;
        } catch (ServeException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    private void run() throws ServeException {
        if (options.skipBuild() && options.watch()) {
            throw new ServeException(
                    2,
                    "--skip-build and --watch cannot be used together"
                            + " (expected: one of them; --watch rebuilds on change)");
        }
        project = open();
        cacheSettings = resolveCache(options);
        fanout = resolveFanout(options, project.manifest());
        if (freePorts) {
            fanout = new Fanout(fanout.enabled(), null, 0, 0);
        }
        try {
            inspector = InspectorOption.parse(options.inspectorPort());
        } catch (IllegalArgumentException e) {
            throw new ServeException(2, e.getMessage(), e);
        }
        if (options.wasm() == null && !options.skipBuild()) {
            ProjectBuild.run(project, out, err);
        }
        if (!Files.isRegularFile(project.wasm())) {
            throw new ServeException(
                    2,
                    "wasm: " + project.wasm() + ": not found (expected: a built Compute program;"
                            + " give --file, or add [scripts] build to fastly.toml)");
        }
        routeLines = PushpinRoutes.lines(project.localServer().backends());
        if (fanout.enabled()) {
            startFanout();
            if (freePorts) {
                fanout = new Fanout(true, null, proxy.httpPort(), proxy.publishPort());
            }
        }
        EdgeConfig config = project.config()
                .withAddress(options.address())
                .withEngine(options.engine())
                .withHandoffPort(fanout.enabled() ? fanout.proxyPort() : 0)
                .withCache(cacheSettings)
                .withLimits(options.limits())
                .withMemoryLimit(options.memoryLimit())
                .withRequestTimeout(options.guestTimeLimit());
        if (proxy != null && proxy.inspectorAddress() != null) {
            var observer = proxy.observer();
            config = config.withRequestListener(r -> observer.edgeRequest(
                    r.method(),
                    r.path(),
                    r.status(),
                    r.millis(),
                    r.handoff() == null ? null : r.handoff() + " to backend '" + r.backend() + "'"));
        }
        EdgeConfig edgeConfig = config;
        edge = Loading.withProgress(out, project.wasm(), options.engine(), () -> new EdgeServer(edgeConfig).start());
        if (freePorts && proxy != null) {
            routeLines = PushpinRoutes.lines(followEdge(project.localServer().backends(), edge.port()));
            proxy.updateRoutes(routes(routeLines));
        }
        printBanner();
        if (options.watch()) {
            watcher = ProjectWatcher.start(this, project, options, out, err);
        }
    }

    private EdgeProject open() throws ServeException {
        Path dir = options.dir();
        if (!Files.isDirectory(dir)) {
            throw new ServeException(2, "project folder " + dir + ": not found (expected: a folder with fastly.toml)");
        }
        try {
            return EdgeProject.open(dir, options.manifest(), options.wasm());
        } catch (FastlyTomlException e) {
            throw new ServeException(2, e.getMessage(), e);
        }
    }

    /** {@code --cache-size}, {@code --no-readthrough-cache}, {@code --clear-cache-on-reload}, checked. */
    static CacheSettings resolveCache(ServeOptions o) throws ServeException {
        long heap = Runtime.getRuntime().maxMemory();
        // The default never takes more than a quarter of a small heap; a size the user gives must fit.
        long size = o.cacheSize() == null
                ? Math.min(CacheSettings.DEFAULT.capacityBytes(), heap / 4)
                : ServeOptions.parseSize("--cache-size", o.cacheSize());
        if (size >= heap) {
            throw new ServeException(
                    2,
                    "--cache-size: " + o.cacheSize() + " is more than this JVM's heap (" + (heap >> 20)
                            + " MiB); choose a smaller size, or give the JVM more (OUTPOST_JAVA_OPTS=-Xmx...)");
        }
        if (o.clearCacheOnReload() && !o.watch()) {
            throw new ServeException(
                    2, "--clear-cache-on-reload only applies to --watch reloads (expected: --watch as well)");
        }
        return new CacheSettings(size, o.readthroughCache());
    }

    /** The Fastly CLI's precedence: flags, then {@code [local_server.pushpin]}, then defaults. */
    public static Fanout resolveFanout(ServeOptions o, FastlyManifest manifest) throws ServeException {
        PushpinConfig toml = manifest != null ? manifest.pushpin() : PushpinConfig.defaults();
        int proxyPort = o.pushpinProxyPort() != null
                ? ServeOptions.parsePortFlag("--pushpin-proxy-port", o.pushpinProxyPort())
                : toml.proxyPort();
        int publishPort = o.pushpinPublishPort() != null
                ? ServeOptions.parsePortFlag("--pushpin-publish-port", o.pushpinPublishPort())
                : toml.publishPort();
        String path = o.pushpinPath() != null && !o.pushpinPath().isEmpty() ? o.pushpinPath() : toml.pushpinPath();
        return new Fanout(o.enablePushpin() || toml.enable(), path, proxyPort, publishPort);
    }

    private void startFanout() throws ServeException {
        if (fanout.pushpinPath() != null) {
            pushpin = ExternalPushpin.start(
                    Path.of(fanout.pushpinPath()), fanout.proxyPort(), fanout.publishPort(), routeLines, out, err);
            return;
        }
        ProxyConfig.Builder builder = ProxyConfig.builder()
                .httpHost("127.0.0.1")
                .httpPort(fanout.proxyPort())
                .publishHost("127.0.0.1")
                .publishPort(fanout.publishPort())
                .acceptPushpinRoute(true)
                .sigIss(SIG_ISS)
                .sigKey(SIG_KEY.getBytes(StandardCharsets.UTF_8))
                .publishMaxBodySize(PUBLISH_MAX_BODY);
        inspector.applyTo(builder);
        RouteTable table = routes(routeLines);
        try {
            proxy = OutpostProxy.start(builder.build(), table);
        } catch (RuntimeException e) {
            if (!inspector.given()) {
                // The default inspector port may be taken (say, by `outpost proxy`): serve without it.
                try {
                    InspectorOption.OFF.applyTo(builder);
                    proxy = OutpostProxy.start(builder.build(), table);
                    inspectorOff = "127.0.0.1:" + InspectorOption.DEFAULT_PORT + " could not be bound ("
                            + e.getMessage() + "); choose a port with --inspector-port";
                    return;
                } catch (RuntimeException again) {
                    e.addSuppressed(again);
                }
            }
            throw new ServeException(
                    1,
                    "cannot start the GRIP proxy on ports " + fanout.proxyPort() + " and "
                            + fanout.publishPort() + ": " + e.getMessage()
                            + " (is another process using them? choose others with --pushpin-proxy-port and"
                            + " --pushpin-publish-port)",
                    e);
        }
    }

    /** Backends at the Compute server's default address, moved to {@code port}; the others as they are. */
    static java.util.Map<String, BackendConfig> followEdge(java.util.Map<String, BackendConfig> backends, int port) {
        java.util.Map<String, BackendConfig> out = new java.util.LinkedHashMap<>();
        int defaultPort = EdgeConfig.DEFAULT_ADDRESS.getPort();
        for (BackendConfig b : backends.values()) {
            java.net.URI u = b.url();
            String host = u.getHost() == null ? "" : u.getHost();
            boolean self = b.port() == defaultPort
                    && !b.tls()
                    && (host.equals("localhost") || host.equals("127.0.0.1") || host.equals("[::1]"));
            if (self) {
                try {
                    u = new java.net.URI(
                            u.getScheme(), u.getUserInfo(), u.getHost(), port, u.getPath(), u.getQuery(), null);
                } catch (java.net.URISyntaxException e) {
                    throw new IllegalStateException("backend " + b.name() + ": " + e.getMessage(), e);
                }
                b = new BackendConfig(
                        b.name(),
                        u,
                        b.overrideHost(),
                        b.certHost(),
                        b.useSni(),
                        b.connectTimeout(),
                        b.firstByteTimeout(),
                        b.betweenBytesTimeout(),
                        b.health(),
                        b.dynamic(),
                        b.caCertificates());
            }
            out.put(b.name(), b);
        }
        return out;
    }

    static RouteTable routes(List<String> lines) throws ServeException {
        List<Route> routes = new ArrayList<>();
        for (String line : lines) {
            try {
                routes.add(RoutesParser.parseLine(line, "fastly.toml backends"));
            } catch (RoutesException e) {
                throw new ServeException(
                        2, "route generated from [local_server.backends]: " + line + ": " + e.getMessage(), e);
            }
        }
        return RouteTable.of(routes);
    }

    /** The manifest changed: routes follow the backends (the program reload is separate). */
    void updateRoutes(LocalServerConfig local) throws ServeException {
        List<String> lines = PushpinRoutes.lines(local.backends());
        if (lines.equals(routeLines)) {
            return;
        }
        routeLines = lines;
        if (proxy != null) {
            proxy.updateRoutes(routes(lines));
        }
        if (pushpin != null) {
            pushpin.writeRoutes(lines);
        }
        out.println("Routes regenerated from " + manifestPath() + ":");
        lines.forEach(l -> out.println("  " + l));
        out.flush();
    }

    EdgeServer edge() {
        return edge;
    }

    Path manifestPath() {
        return options.manifest() != null ? options.manifest() : project.dir().resolve("fastly.toml");
    }

    public int edgePort() {
        return edge.port();
    }

    public Fanout fanout() {
        return fanout;
    }

    public List<String> routeLines() {
        return routeLines;
    }

    private void printBanner() {
        String edgeUrl = "http://" + hostForUrl(edge.address().getHostString()) + ":" + edge.port();
        out.println();
        out.println("Outpost serve: " + project.dir() + " (" + project.wasm() + ", " + edge.engineDescription() + ")");
        out.println("  edge       " + edgeUrl + "/");
        if (fanout.enabled()) {
            String publish = "http://127.0.0.1:" + fanout.publishPort() + "/publish/";
            out.println("  fanout     "
                    + (pushpin != null
                            ? "Pushpin " + pushpin.version() + " (" + fanout.pushpinPath() + ")"
                            : "GRIP proxy (in-process)")
                    + " on http://127.0.0.1:" + fanout.proxyPort() + "/");
            out.println("  publish    " + publish);
            printInspector();
            if (routeLines.isEmpty()) {
                out.println("  routes     (none: [local_server.backends] is empty)");
            }
            for (int i = 0; i < routeLines.size(); i++) {
                out.println((i == 0 ? "  routes     " : "             ") + routeLines.get(i));
            }
            out.println("Try:");
            out.println("  curl -N " + edgeUrl + "/test/stream");
            out.println("Publish to channel 'test':");
            out.println("  curl -d '{\"items\":[{\"channel\":\"test\",\"formats\":{"
                    + "\"http-stream\":{\"content\":\"hello\\n\"},\"http-response\":{\"body\":\"hello\\n\"},"
                    + "\"ws-message\":{\"content\":\"hello\"}}}]}' " + publish);
            out.println("  ./outpost publish --spec http://127.0.0.1:" + fanout.publishPort() + " test hello");
        } else {
            out.println("  fanout     off (handoffs answer 500; enable with [local_server.pushpin] enable = true"
                    + " or --experimental-enable-pushpin)");
            printInspector();
        }
        out.println("  cache      " + cacheLine());
        if (options.watch()) {
            out.println("Watching " + project.dir() + " for changes.");
        }
        out.println("Ctrl-C stops.");
        out.flush();
    }

    /** What the banner says about the cache: size, readthrough, reloads. */
    private String cacheLine() {
        long size = cacheSettings.capacityBytes();
        String amount = size % (1L << 30) == 0
                ? (size >> 30) + " GiB"
                : size % (1L << 20) == 0
                        ? (size >> 20) + " MiB"
                        : size % 1024 == 0 ? (size >> 10) + " KiB" : size + " B";
        return amount + " in memory (--cache-size); readthrough HTTP cache "
                + (cacheSettings.readthrough()
                        ? "on for send/fetch to backends (off: --no-readthrough-cache)"
                        : "off (--no-readthrough-cache)")
                + (options.watch()
                        ? options.clearCacheOnReload()
                                ? "; emptied on reload"
                                : "; kept across reloads (--clear-cache-on-reload empties it)"
                        : "");
    }

    private void printInspector() {
        if (proxy != null && proxy.inspectorAddress() != null) {
            out.println(
                    "  inspector  http://" + hostForUrl(proxy.inspectorAddress().getHostString()) + ":"
                            + proxy.inspectorAddress().getPort() + "/   (Prometheus: /metrics)");
            return;
        }
        String why;
        if (inspectorOff != null) {
            why = inspectorOff;
        } else if (inspector.off()) {
            why = "--inspector-port off";
        } else if (pushpin != null) {
            why = "it runs with the in-process GRIP proxy, not with an external Pushpin";
        } else {
            why = "it runs with the in-process GRIP proxy, and Fanout is off";
        }
        out.println("  inspector  off: " + why);
    }

    /** The in-process GRIP proxy, or null when Fanout is off or an external Pushpin runs. */
    public OutpostProxy proxy() {
        return proxy;
    }

    /** The inspector's address, or null when it is off. */
    public java.net.InetSocketAddress inspectorAddress() {
        return proxy == null ? null : proxy.inspectorAddress();
    }

    private static String hostForUrl(String host) {
        if (host == null || host.isEmpty() || host.equals("0.0.0.0")) {
            return "127.0.0.1";
        }
        return host.contains(":") ? "[" + host + "]" : host;
    }

    @Override
    public void close() {
        if (watcher != null) {
            watcher.close();
        }
        if (edge != null) {
            edge.close();
        }
        if (proxy != null) {
            proxy.close();
        }
        if (pushpin != null) {
            pushpin.close();
        }
    }

    /** Loading a program takes a few seconds: show that something happens. */
    static final class Loading {
        private Loading() {}

        interface Start {
            EdgeServer start();
        }

        static EdgeServer withProgress(PrintStream out, Path wasm, String engine, Start start) throws ServeException {
            long size;
            try {
                size = Files.size(wasm);
            } catch (java.io.IOException e) {
                size = 0;
            }
            out.print("Loading " + wasm.getFileName() + " (" + Math.max(1, size / (1024 * 1024)) + " MB) with " + engine
                    + " ");
            out.flush();
            long started = System.nanoTime();
            Thread ticker = Thread.ofPlatform().daemon().name("serve-loading").start(() -> {
                try {
                    while (true) {
                        Thread.sleep(500);
                        out.print('.');
                        out.flush();
                    }
                } catch (InterruptedException e) {
                    // loaded
                }
            });
            try {
                EdgeServer server = start.start();
                ticker.interrupt();
                try {
                    ticker.join(1000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                out.println(" ready in " + (System.nanoTime() - started) / 1_000_000 + " ms");
                return server;
            } catch (UncheckedIOException e) {
                ticker.interrupt();
                out.println(" failed");
                throw new ServeException(1, e.getMessage(), e);
            } catch (RuntimeException e) {
                ticker.interrupt();
                out.println(" failed");
                throw new ServeException(1, "cannot start the Compute server: " + e.getMessage(), e);
            }
        }
    }
}
