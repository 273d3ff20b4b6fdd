package dev.outpost.proxy.session;

import dev.outpost.proxy.config.ProxyConfig;
import dev.outpost.proxy.pubsub.ChannelHub;
import dev.outpost.proxy.pubsub.Drops;
import dev.outpost.proxy.route.RouteTable;
import dev.outpost.proxy.server.Transport;

/** What every client connection of one proxy shares: configuration, the current routes, the hub, drops, the pool. */
public final class ProxyContext {
    private final ProxyConfig config;
    private final ChannelHub hub;
    private final Drops drops;
    private final OriginPool pool;
    private volatile RouteTable routes;

    public ProxyContext(ProxyConfig config, RouteTable routes, ChannelHub hub, Drops drops, Transport transport) {
        this.config = config;
        this.routes = routes;
        this.hub = hub;
        this.drops = drops;
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

    /** Where dropped messages are counted (the hub counts its own drops on the same instance). */
    public Drops drops() {
        return drops;
    }

    OriginPool pool() {
        return pool;
    }

    /** Closes the idle origin connections. */
    public void close() {
        pool.close();
    }
}
