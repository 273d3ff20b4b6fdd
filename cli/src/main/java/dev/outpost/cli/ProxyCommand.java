package dev.outpost.cli;

import dev.outpost.bus.OutpostNode;
import dev.outpost.bus.redis.BusUri;
import dev.outpost.proxy.OutpostProxy;
import dev.outpost.proxy.config.ConfigException;
import dev.outpost.proxy.config.FileErrors;
import dev.outpost.proxy.config.ProxyConfig;
import dev.outpost.proxy.config.PushpinConf;
import dev.outpost.proxy.observe.InspectorOption;
import dev.outpost.proxy.observe.InspectorSettings;
import dev.outpost.proxy.route.Route;
import dev.outpost.proxy.route.RouteTable;
import dev.outpost.proxy.route.RoutesException;
import dev.outpost.proxy.route.RoutesParser;
import dev.outpost.proxy.route.RoutesWatcher;
import dev.outpost.proxy.route.Target.Kind;
import dev.outpost.proxy.server.ListenException;
import dev.outpost.proxy.server.TlsListeners;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code outpost proxy}: the GRIP proxy on its own, configured as Pushpin is. */
@Command(
        name = "proxy",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = {
            "Run the GRIP proxy, configured as Pushpin is (pushpin.conf and a routes file).",
            "Without any route, the built-in 'test' target serves /response and /stream on channel 'test'."
        },
        footer = {
            "",
            "Timeouts and queue limits: Pushpin's keys, and an [outpost] section in the --config file"
                    + " (docs/limits.md).",
            "Exit codes: 0 stopped normally (SIGTERM or Ctrl-C), 1 failed at run time, 2 bad configuration or usage.",
            "On SIGTERM held requests end cleanly and requests in flight get [outpost] drain_timeout (5 s) to finish"
                    + " (docs/security.md).",
            "Example: outpost proxy --route '* 127.0.0.1:8080'",
            "Several nodes on one Redis: outpost proxy --bus redis://10.0.0.5:6379 (see docs/cluster.md)"
        })
final class ProxyCommand implements Callable<Integer> {

    @Option(names = "--config", paramLabel = "FILE", description = "pushpin.conf to read (INI, as Pushpin reads it).")
    Path config;

    @Option(
            names = "--port",
            paramLabel = "[ADDR:]PORT",
            description = "Client (HTTP) port, overriding http_port. Default: 127.0.0.1:7999.")
    String port;

    @Option(
            names = "--publish-port",
            paramLabel = "[ADDR:]PORT",
            description = "Publish API port, overriding push_in_http_port. Default: 127.0.0.1:5561.")
    String publishPort;

    @Option(
            names = "--route",
            paramLabel = "LINE",
            description = "A route line in routes-file syntax, e.g. '* 127.0.0.1:8080,over_http'. Repeatable; "
                    + "replaces the routes file of --config unless --routes is given too.")
    List<String> routeLines = new ArrayList<>();

    @Option(
            names = "--routes",
            paramLabel = "FILE",
            description = "Routes file, overriding routesfile. Reloaded when it changes.")
    Path routesFile;

    @Option(
            names = "--loglevel",
            paramLabel = "N",
            description = "Log level as Pushpin's: 0 error ... 2 info ... 4 trace.")
    Integer logLevel;

    @Option(
            names = "--bus",
            paramLabel = "URI",
            description = "Run as one of many nodes on one Redis, overriding [handler] bus: "
                    + "redis://[user:password@]host:port[/db] or rediss:// for TLS. A publish on any node reaches "
                    + "every node's subscribers; see docs/cluster.md.")
    String bus;

    @Option(names = "--verbose", description = "Same as --loglevel 3.")
    boolean verbose;

    @Option(
            names = "--inspector-port",
            paramLabel = "[ADDR:]PORT|off",
            description = "Live inspector and Prometheus /metrics, overriding prometheus_port. Default: 127.0.0.1:7998"
                    + " (or prometheus_port when set); 0 picks a free port, 'off' turns it off.")
    String inspectorPort;

    @Override
    public Integer call() throws Exception {
        StopSignal signals = StopSignal.install();
        PrintStream out = System.out;
        ProxyConfig.Builder builder;
        try {
            builder = config == null
                    ? ProxyConfig.builder()
                    : PushpinConf.load(config, warning -> System.err.println("outpost: warning: " + warning));
            if (port != null) {
                applyAddress(builder, port, "--port", true);
            }
            if (publishPort != null) {
                applyAddress(builder, publishPort, "--publish-port", false);
            }
            if (bus != null) {
                BusUri.parse(bus);
                builder.setting("handler/bus", bus);
            } else {
                String fromFile = builder.settings().get("handler/bus");
                if (fromFile != null && !fromFile.isBlank()) {
                    BusUri.parse(fromFile);
                }
            }
        } catch (ConfigException e) {
            System.err.println("outpost: " + e.getMessage());
            return 2;
        } catch (IllegalArgumentException e) {
            System.err.println("outpost: " + e.getMessage());
            return 2;
        }
        if (verbose) {
            builder.logLevel(3);
        }
        if (logLevel != null) {
            builder.logLevel(logLevel);
        }
        if (!applyInspector(builder, inspectorPort)) {
            return 2;
        }
        Path routes = routesFile != null ? routesFile : (routeLines.isEmpty() ? builder.routesFile() : null);
        builder.routesFile(routes).routeLines(routeLines);
        ProxyConfig cfg = builder.build();
        Logging.setLevel(cfg.logLevel());

        // Inline lines are fixed; the file part is re-read when it changes.
        List<Route> inline;
        try {
            inline = parseInline(routeLines);
        } catch (RoutesException e) {
            System.err.println("outpost: " + e.getMessage());
            return 2;
        }
        RouteTable initial;
        RoutesWatcher watcher = null;
        OutpostProxy[] proxyRef = new OutpostProxy[1];
        try {
            if (routes != null) {
                String unreadable = FileErrors.unreadable("routes file", routes, "a readable file");
                if (unreadable != null) {
                    System.err.println("outpost: " + unreadable);
                    return 2;
                }
                watcher = RoutesWatcher.start(routes, table -> {
                    OutpostProxy p = proxyRef[0];
                    if (p != null) {
                        p.updateRoutes(merge(table.routes(), inline));
                    }
                });
                initial = merge(watcher.current().routes(), inline);
            } else {
                initial = RouteTable.of(inline);
            }
        } catch (RoutesException e) {
            System.err.println("outpost: " + e.getMessage());
            return 2;
        }
        if (initial.isEmpty()) {
            initial = RouteTable.of(List.of(RoutesParser.parseLine("* test", "(default)")));
        }

        OutpostNode node;
        try {
            node = startProxy(cfg, initial, inspectorPort == null);
        } catch (ConfigException e) {
            System.err.println("outpost: " + e.getMessage());
            closeQuietly(watcher);
            return 2;
        } catch (ListenException e) {
            Messages.debug("cannot start the proxy", e);
            System.err.println("outpost: cannot start the proxy: " + e.getMessage() + "; " + moveHint(e));
            closeQuietly(watcher);
            return 1;
        } catch (RuntimeException e) {
            Messages.debug("cannot start the proxy", e);
            System.err.println("outpost: cannot start the proxy: " + Messages.of(e));
            closeQuietly(watcher);
            return 1;
        }
        OutpostProxy proxy = node.proxy();
        proxyRef[0] = proxy;
        RoutesWatcher w = watcher;
        signals.arm(() -> {
            if (w != null) {
                w.close();
            }
            node.close();
        });
        printBanner(out, cfg, node, initial, routes);

        signals.await();
        return 0;
    }

    /**
     * Starts the proxy; when the inspector was not asked for and its default port is taken (say, by another
     * running Outpost), starts without it rather than failing, and says why.
     */
    private OutpostNode startProxy(ProxyConfig cfg, RouteTable routes, boolean inspectorDefaulted)
            throws ConfigException {
        try {
            return OutpostNode.start(cfg, routes);
        } catch (ListenException e) {
            String port = cfg.settings().get(InspectorSettings.PORT);
            if (!e.listener().equals("inspector")
                    || !inspectorDefaulted
                    || !String.valueOf(InspectorOption.DEFAULT_PORT).equals(port)) {
                throw e;
            }
            Messages.debug("inspector off", e);
            ProxyConfig.Builder b = cfg.toBuilder();
            InspectorOption.OFF.applyTo(b);
            OutpostNode node = OutpostNode.start(b.build(), routes);
            System.err.println("outpost: warning: inspector off: " + e.getMessage() + "; " + moveHint(e));
            return node;
        }
    }

    /** The option that moves the listener that could not bind (and the pushpin.conf key, when one was read). */
    private String moveHint(ListenException e) {
        return switch (e.listener()) {
            case "client port" ->
                "choose another with --port" + (config != null ? " (or http_port in " + config + ")" : "");
            case "publish port" ->
                "choose another with --publish-port"
                        + (config != null ? " (or push_in_http_port in " + config + ")" : "");
            default -> "choose another with --inspector-port (or turn it off with --inspector-port off)";
        };
    }

    private static void closeQuietly(RoutesWatcher watcher) {
        if (watcher != null) {
            watcher.close();
        }
    }

    private static List<Route> parseInline(List<String> lines) throws RoutesException {
        List<Route> result = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            result.add(RoutesParser.parseLine(lines.get(i), "--route #" + (i + 1)));
        }
        return result;
    }

    private static RouteTable merge(List<Route> fromFile, List<Route> inline) {
        List<Route> all = new ArrayList<>(fromFile);
        all.addAll(inline);
        return RouteTable.of(all);
    }

    /** Accepts {@code PORT} or {@code ADDR:PORT} (IPv6 as {@code [::1]:PORT}). */
    static void applyAddress(ProxyConfig.Builder b, String value, String option, boolean client) {
        String host = null;
        String portText = value;
        int colon = value.lastIndexOf(':');
        if (colon >= 0) {
            host = value.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            portText = value.substring(colon + 1);
        }
        int p;
        try {
            p = Integer.parseInt(portText);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    option + ": '" + value + "' (expected: PORT or ADDR:PORT, PORT 0-65535)");
        }
        if (p < 0 || p > 65535 || (host != null && host.isEmpty())) {
            throw new IllegalArgumentException(
                    option + ": '" + value + "' (expected: PORT or ADDR:PORT, PORT 0-65535)");
        }
        if (client) {
            b.httpPort(p);
            if (host != null) {
                b.httpHost(host);
            }
        } else {
            b.publishPort(p);
            if (host != null) {
                b.publishHost(host);
            }
        }
    }

    /** Maps --inspector-port (null: the default) onto {@link InspectorSettings}; false after a usage error. */
    static boolean applyInspector(ProxyConfig.Builder b, String value) {
        try {
            InspectorOption.parse(value).applyTo(b);
            return true;
        } catch (IllegalArgumentException e) {
            System.err.println("outpost: " + e.getMessage());
            return false;
        }
    }

    private void printBanner(PrintStream out, ProxyConfig cfg, OutpostNode node, RouteTable routes, Path file) {
        OutpostProxy proxy = node.proxy();
        String client = "http://" + hostForUrl(cfg.httpHost()) + ":" + proxy.httpPort() + "/";
        String publish = "http://" + hostForUrl(cfg.publishHost()) + ":" + proxy.publishPort() + "/publish/";
        out.println("Outpost " + VersionProvider.version() + " GRIP proxy");
        out.println("  client     " + client);
        for (InetSocketAddress a : proxy.httpsAddresses()) {
            out.println("  https      https://" + hostForUrl(a.getAddress().getHostAddress()) + ":" + a.getPort()
                    + "/   (certificates: "
                    + TlsListeners.of(cfg).certsDir() + ")");
        }
        out.println("  publish    " + publish);
        if (proxy.inspectorAddress() != null) {
            out.println("  inspector  http://" + hostForUrl(InspectorSettings.host(cfg)) + ":"
                    + proxy.inspectorAddress().getPort() + "/   (Prometheus: /metrics)");
        }
        if (node.bus() != null) {
            out.println("  bus        " + node.bus().uri().display() + "   (one of many nodes: docs/cluster.md)");
        }
        if (node.zmq() != null) {
            var z = node.zmq().settings();
            if (z.pushInSpec() != null) {
                out.println("  zmq pull   " + z.pushInSpec());
            }
            if (z.subscribes()) {
                out.println("  zmq sub    " + String.join(",", z.pushInSubSpecs())
                        + (z.pushInSubConnect() ? " (connecting)" : ""));
            }
            if (z.commandSpec() != null) {
                out.println("  commands   " + z.commandSpec());
            }
        }
        out.println("  routes     " + routesOrigin(file));
        for (Route r : routes.routes()) {
            out.println("             " + describe(r));
        }
        String channel = usesTestTarget(routes) ? "test" : "CHANNEL";
        out.println("Publish:");
        out.println("  curl -d '{\"items\":[{\"channel\":\"" + channel
                + "\",\"formats\":{\"http-stream\":{\"content\":\"hello\\n\"},\"http-response\":{\"body\":\"hello\\n\"}}}]}' "
                + publish);
        out.println("  ./outpost publish --spec http://" + hostForUrl(cfg.publishHost()) + ":" + proxy.publishPort()
                + " " + channel + " hello");
        if (usesTestTarget(routes)) {
            out.println("Try:  curl -N " + client + "stream    (or " + client + "response for a long-poll)");
        }
        out.flush();
    }

    /** Where the routes below came from, as the banner says it. */
    private String routesOrigin(Path file) {
        if (file != null) {
            return file + " (reloaded on change)" + (routeLines.isEmpty() ? "" : " and --route");
        }
        if (!routeLines.isEmpty()) {
            return "from --route";
        }
        return "none given: the built-in test target answers every request";
    }

    private static boolean usesTestTarget(RouteTable routes) {
        return routes.routes().stream().anyMatch(r -> r.targets().stream().anyMatch(t -> t.kind() == Kind.TEST));
    }

    private static String describe(Route r) {
        return r.source() == null ? r.toString() : r.source() + "  " + summary(r);
    }

    private static String summary(Route r) {
        StringBuilder sb = new StringBuilder(r.domain() == null ? "*" : r.domain());
        if (r.id() != null) {
            sb.append(" id=").append(r.id());
        }
        if (r.pathBeg() != null) {
            sb.append(" path_beg=").append(r.pathBeg());
        }
        sb.append(" ->");
        r.targets()
                .forEach(t -> sb.append(' ')
                        .append(
                                t.kind() == Kind.TEST
                                        ? "test"
                                        : t.host() + ":" + t.port() + (t.overHttp() ? ",over_http" : "")
                                                + (t.ssl() ? ",ssl" : "")));
        return sb.toString();
    }

    private static String hostForUrl(String host) {
        if (host == null || host.isEmpty() || host.equals("0.0.0.0")) {
            return "127.0.0.1";
        }
        return host.contains(":") ? "[" + host + "]" : host;
    }
}
