package dev.outpost.serve.standin;

import dev.outpost.bus.OutpostNode;
import dev.outpost.proxy.OutpostProxy;
import dev.outpost.proxy.config.ConfigException;
import dev.outpost.proxy.config.FileErrors;
import dev.outpost.proxy.config.ProxyConfig;
import dev.outpost.proxy.observe.InspectorOption;
import dev.outpost.proxy.route.Route;
import dev.outpost.proxy.route.RouteTable;
import dev.outpost.proxy.route.RoutesException;
import dev.outpost.proxy.route.RoutesParser;
import dev.outpost.proxy.route.RoutesWatcher;
import dev.outpost.serve.ServeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Outpost in Pushpin's place: what {@code pushpin --config=FILE} does when {@code fastly compute serve} runs it. One
 * process holds what Pushpin runs as several (connmgr, proxy, handler), so the configuration's wiring between them
 * ({@code include}d internal.conf, {@code rundir} sockets) is not needed and is reported once; the ZeroMQ publish
 * inputs the configuration names ({@code push_in_spec}, {@code push_in_sub_specs}, {@code command_spec}) are served
 * as Pushpin's handler serves them; the routes file is followed as Pushpin follows it. The line ending in {@code started}, which the Fastly CLI waits for, is logged only
 * once both ports accept connections.
 */
public final class PushpinStandIn implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger("pushpin");

    private final OutpostNode node;
    private final OutpostProxy proxy;
    private final RoutesWatcher watcher;

    private PushpinStandIn(OutpostNode node, RoutesWatcher watcher) {
        this.node = node;
        this.proxy = node.proxy();
        this.watcher = watcher;
    }

    /**
     * Starts the proxy.
     *
     * @param config as read from the configuration and the command line; {@link ProxyConfig#routeLines()} (from
     *     {@code --route}) replace the routes file, as in Pushpin
     * @param inspectorDefaulted whether the inspector's port is the default one, which is then skipped when taken
     * @throws ServeException 2 for a bad routes file or ZeroMQ spec, 1 when a port cannot be bound
     */
    public static PushpinStandIn start(ProxyConfig config, boolean inspectorDefaulted) throws ServeException {
        reportWiring(config);
        RoutesWatcher[] watcherRef = new RoutesWatcher[1];
        OutpostNode[] proxyRef = new OutpostNode[1];
        RouteTable routes;
        try {
            if (!config.routeLines().isEmpty()) {
                routes = inline(config.routeLines());
            } else if (config.routesFile() != null) {
                Path file = config.routesFile();
                String unreadable = FileErrors.unreadable("routes file", file, "a readable file");
                if (unreadable != null) {
                    throw new ServeException(2, unreadable);
                }
                watcherRef[0] = RoutesWatcher.start(file, table -> {
                    OutpostNode p = proxyRef[0];
                    if (p != null) {
                        p.proxy().updateRoutes(table);
                    }
                });
                routes = watcherRef[0].current();
            } else {
                routes = RouteTable.of(List.of());
            }
            if (routes.isEmpty()) {
                routes = RouteTable.of(List.of(RoutesParser.parseLine("* test", "(default)")));
                log.info("no routes: serving the built-in test target (/response and /stream on channel 'test')");
            }
        } catch (RoutesException e) {
            throw new ServeException(2, e.getMessage(), e);
        }
        try {
            proxyRef[0] = startProxy(config, routes, inspectorDefaulted);
        } catch (ConfigException | RuntimeException e) {
            if (watcherRef[0] != null) {
                watcherRef[0].close();
            }
            throw new ServeException(e instanceof ConfigException ? 2 : 1, e.getMessage(), e);
        }
        OutpostNode node = proxyRef[0];
        OutpostProxy proxy = node.proxy();
        if (proxy.inspectorAddress() != null) {
            log.info(
                    "inspector on http://{}:{}/ (Prometheus: /metrics)",
                    proxy.inspectorAddress().getHostString(),
                    proxy.inspectorAddress().getPort());
        }
        // Both listeners are bound (start returns after bind): the Fastly CLI may go on.
        log.info("started");
        return new PushpinStandIn(node, watcherRef[0]);
    }

    /** One line for each part of Pushpin's multi-process wiring that the configuration names and is not used here. */
    private static void reportWiring(ProxyConfig config) {
        config.setting("global/include")
                .filter(v -> !v.isBlank())
                .ifPresent(v -> log.info(
                        "include {}: not read (the wiring between Pushpin's processes; Outpost is one process)", v));
        folder(config, "global/rundir", "runtime files");
        folder(config, "runner/rundir", "runtime files");
        folder(config, "runner/logdir", "log files; logs go to standard output");
    }

    private static void folder(ProxyConfig config, String key, String what) {
        config.setting(key).map(String::strip).filter(v -> !v.isEmpty()).ifPresent(v -> {
            if (!Files.isDirectory(Path.of(v))) {
                log.info("{} {}: no such folder; not needed here ({}), not created", key, v, what);
            }
        });
    }

    private static RouteTable inline(List<String> lines) throws RoutesException {
        List<Route> routes = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            routes.add(RoutesParser.parseLine(lines.get(i), "--route #" + (i + 1)));
        }
        return RouteTable.of(routes);
    }

    /** Starts the proxy; a default inspector port that is taken is skipped with one line instead of failing. */
    private static OutpostNode startProxy(ProxyConfig config, RouteTable routes, boolean inspectorDefaulted)
            throws ConfigException {
        try {
            return OutpostNode.start(config, routes);
        } catch (RuntimeException e) {
            if (!inspectorDefaulted) {
                throw e;
            }
            ProxyConfig.Builder b = config.toBuilder();
            InspectorOption.OFF.applyTo(b);
            OutpostNode proxy = OutpostNode.start(b.build(), routes);
            log.warn(
                    "inspector off: 127.0.0.1:{} could not be bound ({}); set OUTPOST_INSPECTOR_PORT to choose a port",
                    InspectorOption.DEFAULT_PORT,
                    e.getMessage());
            return proxy;
        }
    }

    public int httpPort() {
        return proxy.httpPort();
    }

    public int publishPort() {
        return proxy.publishPort();
    }

    @Override
    public void close() {
        if (watcher != null) {
            watcher.close();
        }
        node.close();
    }
}
