package dev.outpost.proxy.support;

import static org.awaitility.Awaitility.await;

import dev.outpost.proxy.OutpostProxy;
import dev.outpost.proxy.config.ProxyConfig;
import dev.outpost.proxy.route.RouteTable;
import dev.outpost.proxy.route.RoutesParser;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;

/** Starts a proxy on free ports with inline routes. */
public final class ProxyHarness {
    private ProxyHarness() {}

    public static OutpostProxy start(String routes) throws Exception {
        return start(routes, b -> b);
    }

    public static OutpostProxy start(String routes, UnaryOperator<ProxyConfig.Builder> cfg) throws Exception {
        ProxyConfig.Builder b = ProxyConfig.builder().httpPort(0).publishPort(0);
        RouteTable table = RouteTable.of(routes == null ? List.of() : RoutesParser.parse(routes, "test"));
        return OutpostProxy.start(cfg.apply(b).build(), table);
    }

    /** Waits until {@code channel} has exactly {@code n} subscribers. */
    public static void awaitSubscribers(OutpostProxy proxy, String channel, int n) {
        await().atMost(Duration.ofSeconds(10)).until(() -> proxy.hub().subscriberCount(channel) == n);
    }
}
