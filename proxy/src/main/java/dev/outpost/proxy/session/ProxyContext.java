package dev.outpost.proxy.session;

import dev.outpost.proxy.config.ProxyConfig;
import dev.outpost.proxy.config.ProxyLimits;
import dev.outpost.proxy.pubsub.ChannelHub;
import dev.outpost.proxy.pubsub.Drops;
import dev.outpost.proxy.route.RouteTable;
import dev.outpost.proxy.server.Transport;

/** What every client connection of one proxy shares: configuration, the current routes, the hub, drops, the pool. */
public final class ProxyContext {
    private final ProxyConfig config;
    private final ProxyLimits limits;
    private final ChannelHub hub;
    private final Drops drops;
    private final OriginPool pool;
    private volatile RouteTable routes;

    /** {@code limits} are {@code config}'s, checked by the caller before it started anything. */
    public ProxyContext(
            ProxyConfig config,
            ProxyLimits limits,
            RouteTable routes,
            ChannelHub hub,
            Drops drops,
            Transport transport) {
        this.config = config;
        this.limits = limits;
        this.routes = routes;
        this.hub = hub;
        this.drops = drops;
        this.pool = new OriginPool(transport);
    }

    public ProxyConfig config() {
        return config;
    }

    /** Timeouts and queue limits ({@code [outpost]} section). */
    public ProxyLimits limits() {
        return limits;
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
