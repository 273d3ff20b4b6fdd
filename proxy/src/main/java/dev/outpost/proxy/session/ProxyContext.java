package dev.outpost.proxy.session;

import dev.outpost.proxy.config.ProxyConfig;
import dev.outpost.proxy.pubsub.ChannelHub;
import dev.outpost.proxy.route.RouteTable;
import dev.outpost.proxy.server.Transport;

/** What every client connection of one proxy shares: configuration, the current routes, the hub, the pool. */
public final class ProxyContext {
    private final ProxyConfig config;
    private final ChannelHub hub;
    private final OriginPool pool;
    private volatile RouteTable routes;

    public ProxyContext(ProxyConfig config, RouteTable routes, ChannelHub hub, Transport transport) {
        this.config = config;
        this.routes = routes;
        this.hub = hub;
        this.pool = new OriginPool(transport);
    }

    public ProxyConfig config() {
        return config;
    }

    public ChannelHub hub() {
        return hub;
    }

    public RouteTable routes() {
        return routes;
    }

    public void routes(RouteTable routes) {
        this.routes = routes;
    }

    /** Where dropped messages are counted: the hub's when it has one. */
    public dev.outpost.proxy.pubsub.Drops drops() {
        return hub instanceof dev.outpost.proxy.pubsub.LocalChannelHub l
                ? l.drops()
                : dev.outpost.proxy.pubsub.Drops.global();
    }

    OriginPool pool() {
        return pool;
    }

    /** Closes the idle origin connections. */
    public void close() {
        pool.close();
    }
}
