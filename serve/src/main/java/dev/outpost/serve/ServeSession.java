package dev.outpost.serve;

import dev.outpost.edge.cache.CacheSettings;
import dev.outpost.edge.config.BackendConfig;
import dev.outpost.edge.config.FastlyManifest;
import dev.outpost.edge.config.FastlyTomlException;
import dev.outpost.edge.config.LocalServerConfig;
import dev.outpost.edge.config.PushpinConfig;
import dev.outpost.edge.config.PushpinRoutes;
import dev.outpost.edge.engine.Engines;
import dev.outpost.edge.engine.WasmEngine;
import dev.outpost.edge.server.EdgeConfig;
import dev.outpost.edge.server.EdgeProject;
import dev.outpost.edge.server.EdgeServer;
import dev.outpost.edge.server.ProgramPreload;
import dev.outpost.proxy.OutpostProxy;
import dev.outpost.proxy.config.FileErrors;
import dev.outpost.proxy.config.ProxyConfig;
import dev.outpost.proxy.observe.InspectorOption;
import dev.outpost.proxy.route.Route;
import dev.outpost.proxy.route.RouteTable;
import dev.outpost.proxy.route.RoutesException;
import dev.outpost.proxy.route.RoutesParser;
import dev.outpost.proxy.server.ListenException;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code outpost serve}: builds the project, starts the GRIP proxy when Fanout is on (in-process, or an external
 * Pushpin), then the Compute server, and prints what listens where. {@link #close()} stops everything it started:
 * first the Compute server (no new guest runs), then the proxy.
 *
 * <p>Ports: the app's address ({@code --addr}) never moves, its {@code self} backend points at it. The proxy's, the
 * publish and the inspector port, when left at their defaults and taken (say, the publish port 5561 by
 * {@code outpost proxy}, which shares it with Pushpin), move to a free port and the banner says so (docs/adr/0008).
 */
public final class ServeSession implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ServeSession.class);
    /** What Fastly's local Fanout setup signs with (development only; the CLI's values). */
    public static final String SIG_ISS = "viceroy";

    public static final String SIG_KEY = "viceroy_dev_signing_key_dont_use_in_production";
    /** {@code false} turns the program's preload off (see {@link #run}). */
    static final String PRELOAD_PROPERTY = "outpost.serve.preload";

    /** Fanout's publish message limit. */
    public static final int PUBLISH_MAX_BODY = 65536;

    /**
     * The default ports (the Fastly CLI's for the proxy and publishing; the inspector's next to them, away from
     * {@code outpost proxy}'s 7998).
     */
    record Defaults(int proxyPort, int publishPort, int inspectorPort) {
        static final Defaults STANDARD =
                new Defaults(PushpinConfig.DEFAULT_PROXY_PORT, PushpinConfig.DEFAULT_PUBLISH_PORT, 7678);
    }

    private final ServeOptions options;
    private final PrintStream out;
    private final PrintStream err;
    private final Defaults defaults;
    private EdgeProject project;
    private Fanout fanout;
    private OutpostProxy proxy;
    private ExternalPushpin pushpin;
    private EdgeServer edge;
    private ProjectWatcher watcher;
    private List<String> routeLines = List.of();
    private CacheSettings cacheSettings = CacheSettings.DEFAULT;
    private InspectorOption inspector;
    private BannerHints hints = BannerHints.NONE;
    private final ServeBanner.Notes notes = new ServeBanner.Notes();
    /** The Wasm engine, started at once: it takes a second or more, the build and the proxy meanwhile. */
    private CompletableFuture<WasmEngine> engine;
    /** The program as it is before any build, loading meanwhile (handed to the Compute server); or null. */
    private ProgramPreload preload;

    /**
     * Fanout as resolved from flags, fastly.toml and defaults (flags win).
     *
     * @param pushpinPath an external Pushpin to run, or null for the in-process proxy
     */
    public record Fanout(boolean enabled, String pushpinPath, int proxyPort, int publishPort) {}

    /** Proxy, publish API and Compute server on free ports (tests), see {@link #startOnFreePorts}. */
    private final boolean freePorts;

    private ServeSession(ServeOptions options, PrintStream out, PrintStream err, Defaults defaults, boolean freePorts) {
        this.options = options;
        this.out = out;
        this.err = err;
        this.defaults = defaults;
        this.freePorts = freePorts;
    }

    /** Starts everything; on failure stops what was started and throws. */
    public static ServeSession start(ServeOptions options, PrintStream out, PrintStream err) throws ServeException {
        return start(options, out, err, Defaults.STANDARD);
    }

    static ServeSession start(ServeOptions options, PrintStream out, PrintStream err, Defaults defaults)
            throws ServeException {
        return start(new ServeSession(options, out, err, defaults, false));
    }

    /**
     * As {@link #start}, for tests: the in-process GRIP proxy and its publish API listen on free ports whatever
     * {@code fastly.toml} and the flags say (an external Pushpin is not used), the Compute server on
     * {@link ServeOptions#address()} (port 0: a free one), and backends that point at the Compute server's default
     * address (localhost or 127.0.0.1, port 7676, like the usual {@code self}) follow it to its port.
     */
    public static ServeSession startOnFreePorts(ServeOptions options, PrintStream out, PrintStream err)
            throws ServeException {
        return start(new ServeSession(options, out, err, Defaults.STANDARD, true));
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
        engine = CompletableFuture.supplyAsync(
                () -> Engines.create(options.engine()),
                r -> Thread.ofPlatform().daemon().name("serve-engine").start(r));
        // The program's path is known: load it now, while the build check, the proxy and the sockets start (the
        // load is most of a start). A build that then changes the file makes the server load it again; for a JS app
        // its code part, the same in every build with one SDK, stays parsed in the engine.
        // -Doutpost.serve.preload=false loads it after the proxy, as before (for A/B runs of the start).
        boolean preloading = Boolean.parseBoolean(System.getProperty(PRELOAD_PROPERTY, "true"));
        if (preloading && Files.isRegularFile(project.wasm())) {
            CompletableFuture<WasmEngine> e = engine;
            preload = ProgramPreload.start(project.wasm(), e::join);
        }
        fanout = resolveFanout(options, project.manifest());
        if (freePorts) {
            fanout = new Fanout(fanout.enabled(), null, 0, 0);
        }
        try {
            inspector = InspectorOption.parse(options.inspectorPort(), defaults.inspectorPort());
        } catch (IllegalArgumentException e) {
            throw new ServeException(2, e.getMessage(), e);
        }
        if (project.manifest() != null) {
            hints = BannerHints.read(manifestPath());
        }
        // Before a build of many seconds: is the app's address free?
        checkFree(options.address());
        if (options.wasm() == null && !options.skipBuild()) {
            if (ProjectBuild.run(project, manifestPath(), options.forceBuild(), null, out, err)
                    == ProjectBuild.Result.UP_TO_DATE) {
                out.println("No build: " + project.wasm() + " was built from the project's files as they are"
                        + " (--force-build builds anyway).");
            }
        }
        if (!Files.isRegularFile(project.wasm())) {
            throw new ServeException(2, missingProgram());
        }
        routeLines = PushpinRoutes.lines(project.localServer().backends());
        if (fanout.enabled()) {
            startFanout();
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
        edge = load(config);
        followEdgeInRoutes();
        new ServeBanner(this, out).print();
        if (options.watch()) {
            watcher = ProjectWatcher.start(this, project, options, out, err);
        }
    }

    private EdgeProject open() throws ServeException {
        Path dir = options.dir();
        if (!Files.isDirectory(dir)) {
            throw new ServeException(2, "project folder " + dir + ": not found (expected: a folder with fastly.toml)");
        }
        Path manifest = options.manifest();
        if (manifest != null && !Files.isRegularFile(manifest)) {
            throw new ServeException(2, "-C " + manifest + ": not found (expected: a fastly.toml)");
        }
        EdgeProject p;
        try {
            p = EdgeProject.open(dir, manifest, options.wasm());
        } catch (FastlyTomlException e) {
            throw new ServeException(2, e.getMessage(), e);
        }
        if (p.manifest() == null && options.wasm() == null) {
            if (!Files.isRegularFile(p.wasm())) {
                throw new ServeException(
                        2,
                        "no fastly.toml in " + dir + " (expected: a Compute project folder with fastly.toml;"
                                + " give the folder, e.g. `outpost serve path/to/project`, a manifest with -C FILE,"
                                + " or a built program with --file WASM)");
            }
            notes.add("no fastly.toml in " + dir + ": serving " + p.wasm() + " as it is (no build, no backends)");
        }
        return p;
    }

    /** Why there is no regular file at the program's path, for each way the program was to get there. */
    private String missingProgram() {
        if (options.wasm() != null) {
            return FileErrors.unreadable("--file", project.wasm(), "a Compute program, .wasm");
        }
        if (options.skipBuild()) {
            return project.wasm() + ": not found (--skip-build serves a program built before; build it, or drop"
                    + " --skip-build)";
        }
        String script = project.buildScript();
        if (script == null || script.isBlank()) {
            return project.wasm() + ": not found, and " + manifestPath() + " has no [scripts] build to make it"
                    + " (expected: a built program; add [scripts] build, or give --file WASM)";
        }
        return project.wasm() + ": not found after the build ('" + script + "' should write it)";
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
        // A port left at its default may move (see the class comment); a port someone chose may not.
        boolean proxyDefault =
                options.pushpinProxyPort() == null && fanout.proxyPort() == PushpinConfig.DEFAULT_PROXY_PORT;
        boolean publishDefault =
                options.pushpinPublishPort() == null && fanout.publishPort() == PushpinConfig.DEFAULT_PUBLISH_PORT;
        int proxyPort = proxyDefault ? defaults.proxyPort() : fanout.proxyPort();
        int publishPort = publishDefault ? defaults.publishPort() : fanout.publishPort();
        InspectorOption insp = inspector;
        RouteTable table = routes(routeLines);
        for (int attempt = 0; ; attempt++) {
            ProxyConfig.Builder builder = ProxyConfig.builder()
                    .httpHost("127.0.0.1")
                    .httpPort(proxyPort)
                    .publishHost("127.0.0.1")
                    .publishPort(publishPort)
                    .acceptPushpinRoute(true)
                    .sigIss(SIG_ISS)
                    .sigKey(SIG_KEY.getBytes(StandardCharsets.UTF_8))
                    .publishMaxBodySize(PUBLISH_MAX_BODY);
            insp.applyTo(builder);
            try {
                proxy = OutpostProxy.start(builder.build(), table);
                break;
            } catch (ListenException e) {
                log.debug("GRIP proxy: {}", e.getMessage(), e);
                boolean moves = e.inUse() && attempt < 3;
                switch (e.listener()) {
                    case "client port" -> {
                        if (!moves || !proxyDefault || proxyPort == 0) {
                            throw cannotStart(e, "--pushpin-proxy-port (or proxy_port in [local_server.pushpin])");
                        }
                        notes.moved("fanout", e, "--pushpin-proxy-port");
                        proxyPort = 0;
                    }
                    case "publish port" -> {
                        if (!moves || !publishDefault || publishPort == 0) {
                            throw cannotStart(e, "--pushpin-publish-port (or publish_port in [local_server.pushpin])");
                        }
                        notes.moved("publish", e, "--pushpin-publish-port");
                        publishPort = 0;
                    }
                    default -> {
                        if (!moves || insp.given() || insp.port() == 0) {
                            throw cannotStart(e, "--inspector-port (or turn it off with --inspector-port off)");
                        }
                        notes.moved("inspector", e, "--inspector-port");
                        insp = new InspectorOption(insp.host(), 0, false);
                    }
                }
            }
        }
        fanout = new Fanout(true, null, proxy.httpPort(), proxy.publishPort());
    }

    private static ServeException cannotStart(ListenException e, String option) {
        return new ServeException(
                1, "cannot start the GRIP proxy: " + e.getMessage() + "; choose another with " + option, e);
    }

    /** Fails early, before a long build, when the app's address is taken; the real bind happens after loading. */
    private static void checkFree(InetSocketAddress address) throws ServeException {
        if (address.getPort() == 0) {
            return;
        }
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(address);
        } catch (IOException e) {
            throw cannotListen(address, e);
        }
    }

    private static ServeException cannotListen(InetSocketAddress address, Throwable e) {
        ListenException l = new ListenException("the app's address", address.getHostString(), address.getPort(), e);
        return new ServeException(
                1, "cannot start the Compute server: " + l.getMessage() + "; choose another with --addr", e);
    }

    /** Loads the program (seconds, for a JS app) with progress lines, and binds the app's address. */
    private EdgeServer load(EdgeConfig config) throws ServeException {
        long size;
        try {
            size = Files.size(project.wasm());
        } catch (IOException e) {
            size = 0;
        }
        String mb = size >= 1024 * 1024 ? (size / (1024 * 1024)) + " MB" : Math.max(1, size / 1024) + " KB";
        try (Progress p =
                Progress.start(out, "Loading " + project.wasm() + " (" + mb + ") with " + options.engine() + " ...")) {
            EdgeServer server;
            try {
                ProgramPreload loading = preload;
                preload = null; // the server's now
                server = new EdgeServer(config, engine::join, loading).start();
                engine = null; // the server's now
            } catch (Exception e) { // the bind's BindException is rethrown unchecked by Netty
                log.debug("cannot start the Compute server", e);
                if (Failures.isBind(e)) {
                    throw cannotListen(options.address(), e);
                }
                throw new ServeException(1, "cannot start the Compute server: " + Failures.message(e), e);
            }
            p.done("Loaded in");
            return server;
        }
    }

    /**
     * Routes to a backend at the app's default address ({@code localhost:7676}, the usual {@code self}) follow the app
     * to where it listens ({@code --addr}, or a free port): the proxy's handoffs must come back to this app, not to
     * whatever else holds 7676 (issue #18). The Fastly CLI writes the routes as the manifest says, which sends them
     * to the wrong port; the banner says what was changed. The app's own requests to such a backend go where the
     * manifest says, as Viceroy sends them.
     */
    private void followEdgeInRoutes() throws ServeException {
        if (proxy == null && pushpin == null) {
            return;
        }
        Map<String, BackendConfig> backends = project.localServer().backends();
        List<String> lines = PushpinRoutes.lines(followEdge(backends, edge.port()));
        if (lines.equals(routeLines)) {
            return;
        }
        List<String> names = new ArrayList<>(backends.keySet());
        for (int i = 0; i < lines.size() && i < routeLines.size(); i++) {
            if (!lines.get(i).equals(routeLines.get(i))) {
                BackendConfig b = backends.get(names.get(i));
                notes.add("route '" + b.name() + "' goes to this app on port " + edge.port() + " (fastly.toml: "
                        + b.url().getHost() + ":" + b.port() + ", the default --addr); the app's own requests to"
                        + " backend '" + b.name() + "' still go there");
            }
        }
        routeLines = lines;
        if (proxy != null) {
            proxy.updateRoutes(routes(lines));
        }
        if (pushpin != null) {
            pushpin.writeRoutes(lines);
        }
    }

    /**
     * The backends with those at the app's default address (loopback, port 7676, no TLS) moved to {@code port}, their
     * {@code override_host} too when it names that address.
     */
    static Map<String, BackendConfig> followEdge(Map<String, BackendConfig> backends, int port) {
        Map<String, BackendConfig> out = new LinkedHashMap<>();
        int defaultPort = EdgeConfig.DEFAULT_ADDRESS.getPort();
        for (BackendConfig b : backends.values()) {
            URI u = b.url();
            String host = u.getHost() == null ? "" : u.getHost();
            boolean self = b.port() == defaultPort
                    && !b.tls()
                    && (host.equals("localhost") || host.equals("127.0.0.1") || host.equals("[::1]"));
            if (self) {
                try {
                    u = new URI(u.getScheme(), u.getUserInfo(), u.getHost(), port, u.getPath(), u.getQuery(), null);
                } catch (URISyntaxException e) {
                    throw new IllegalStateException("backend " + b.name() + ": " + e.getMessage(), e);
                }
                String override = b.overrideHost();
                if (override != null && override.equalsIgnoreCase(host + ":" + defaultPort)) {
                    override = host + ":" + port;
                }
                b = new BackendConfig(
                        b.name(),
                        u,
                        override,
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
        List<String> lines =
                PushpinRoutes.lines(edge == null ? local.backends() : followEdge(local.backends(), edge.port()));
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

    EdgeProject project() {
        return project;
    }

    ServeOptions options() {
        return options;
    }

    /** The in-process GRIP proxy, or null (Fanout off, or an external Pushpin). */
    public OutpostProxy proxy() {
        return proxy;
    }

    ExternalPushpin pushpin() {
        return pushpin;
    }

    InspectorOption inspector() {
        return inspector;
    }

    BannerHints hints() {
        return hints;
    }

    ServeBanner.Notes notes() {
        return notes;
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

    CacheSettings cacheSettings() {
        return cacheSettings;
    }

    /** The inspector's address, or null when it is off. */
    public InetSocketAddress inspectorAddress() {
        return proxy == null ? null : proxy.inspectorAddress();
    }

    /** Stops the Compute server first (no new guest runs, no new handoffs), then the proxy. */
    @Override
    public void close() {
        if (preload != null) {
            preload.close();
        }
        if (engine != null) {
            // started, never handed to a server (a failure before loading)
            engine.thenAccept(WasmEngine::close);
        }
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
}
