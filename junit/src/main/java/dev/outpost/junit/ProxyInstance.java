package dev.outpost.junit;

import dev.outpost.proxy.OutpostProxy;
import dev.outpost.proxy.config.ConfigException;
import dev.outpost.proxy.config.ProxyConfig;
import dev.outpost.proxy.config.PushpinConf;
import dev.outpost.proxy.observe.InspectorSettings;
import dev.outpost.proxy.route.Route;
import dev.outpost.proxy.route.RouteTable;
import dev.outpost.proxy.route.RoutesException;
import dev.outpost.proxy.route.RoutesParser;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;

/** The bare proxy, configured from the builder's settings. */
final class ProxyInstance implements OutpostExtension.Instance {
    private final OutpostProxy proxy;

    private ProxyInstance(OutpostProxy proxy) {
        this.proxy = proxy;
    }

    static ProxyInstance start(OutpostExtension.Settings s, LogBuffer log) {
        ProxyConfig.Builder b;
        try {
            b = s.pushpinConf() == null
                    ? ProxyConfig.builder()
                    : PushpinConf.load(s.pushpinConf(), warning -> log.add("pushpin.conf: " + warning));
        } catch (ConfigException e) {
            throw new ExtensionConfigurationException("OutpostExtension: " + e.getMessage(), e);
        }
        if (s.sigIss() != null) {
            b.sigIss(s.sigIss());
        }
        if (s.sigKey() != null) {
            b.sigKey(s.sigKey());
        }
        b.setting(InspectorSettings.PORT, s.inspector() ? "0" : "off");
        s.customizer().accept(b);
        // free ports on loopback, whatever the file or the customizer said
        b.httpHost("127.0.0.1").httpPort(0).publishHost("127.0.0.1").publishPort(0);
        ProxyConfig config = b.build();
        RouteTable routes;
        try {
            routes = routes(s, config);
        } catch (RoutesException e) {
            throw new ExtensionConfigurationException("OutpostExtension: " + e.getMessage(), e);
        }
        return new ProxyInstance(OutpostProxy.start(config, routes));
    }

    private static RouteTable routes(OutpostExtension.Settings s, ProxyConfig config) throws RoutesException {
        if (!s.routeLines().isEmpty()) {
            List<Route> routes = RoutesParser.parseLines(s.routeLines(), "OutpostExtension routes");
            return RouteTable.of(routes);
        }
        if (config.routesFile() != null) {
            return RouteTable.of(RoutesParser.parseFile(config.routesFile()));
        }
        return RouteTable.of(List.of());
    }

    @Override
    public OutpostProxy proxy() {
        return proxy;
    }

    @Override
    public Optional<String> edgeUrl() {
        return Optional.empty();
    }

    @Override
    public String describe() {
        return "GRIP proxy on http://127.0.0.1:" + proxy.httpPort() + " (publish http://127.0.0.1:"
                + proxy.publishPort() + ")";
    }

    @Override
    public List<String> recentOutput() {
        return List.of();
    }

    @Override
    public void close() {
        proxy.close();
    }
}
