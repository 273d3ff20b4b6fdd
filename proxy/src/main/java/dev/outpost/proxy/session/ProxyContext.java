package dev.outpost.proxy.session;

import dev.outpost.origin.OriginClient;
import dev.outpost.origin.OriginConnector;
import dev.outpost.origin.OriginPool;
import dev.outpost.proxy.config.Forwarding;
import dev.outpost.proxy.config.ProxyConfig;
import dev.outpost.proxy.config.ProxyLimits;
import dev.outpost.proxy.config.UpstreamKey;
import dev.outpost.proxy.observe.ProxyObserver;
import dev.outpost.proxy.pubsub.ChannelHub;
import dev.outpost.proxy.pubsub.Drops;
import dev.outpost.proxy.route.Route;
import dev.outpost.proxy.route.RouteSigner;
import dev.outpost.proxy.route.RouteSigners;
import dev.outpost.proxy.route.RouteTable;
import dev.outpost.proxy.server.Transport;
import io.netty.handler.codec.http.HttpRequest;

/**
 * What every client connection of one proxy shares: configuration, the current routes and their signers, the hub,
 * drops, and the one way to reach origins (connector, pool, client).
 */
public final class ProxyContext {
    private final ProxyConfig config;
    private final ProxyLimits limits;
    private final ChannelHub hub;
    private final Drops drops;
    private final ProxyObserver observer;
    private final OriginConnector connector;
    private final OriginPool pool;
    private final UpstreamKey upstreamKey;
    private final Forwarding forwarding;
    private final OriginClient client;
    /** The routes and their signers, replaced together. */
    private volatile Routes routes;

    private record Routes(RouteTable table, RouteSigners signers) {}

    /**
     * The parts one proxy makes once and shares: the hub, where drops are counted, the observer
     * ({@link ProxyObserver#NOOP} when observation is off), and the transport whose loops run everything.
     */
    public record Shared(ChannelHub hub, Drops drops, ProxyObserver observer, Transport transport) {}

    /** {@code limits} are {@code config}'s, checked by the caller before it started anything. */
    public ProxyContext(ProxyConfig config, ProxyLimits limits, RouteTable routes, Shared shared) {
        this.config = config;
        this.limits = limits;
        this.hub = shared.hub();
        this.drops = shared.drops();
        this.observer = shared.observer();
        Transport transport = shared.transport();
        this.connector = new OriginConnector(transport.socketChannel(), transport.datagramChannel());
        this.pool = new OriginPool(connector);
        this.client = new OriginClient(pool);
        this.upstreamKey = UpstreamKey.of(config);
        this.forwarding = Forwarding.of(config);
        routes(routes);
    }

    /** True when {@code req} comes from a GRIP proxy in front of this one ({@code upstream_key}). */
    public boolean trusted(HttpRequest req) {
        return upstreamKey != null && upstreamKey.trusts(req.headers().get(Headers.GRIP_SIG));
    }

    /** What origins are told of the client's hop ({@code X-Forwarded-*}, {@code CDN-Loop}). */
    public Forwarding forwarding() {
        return forwarding;
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
        return routes.table();
    }

    public void routes(RouteTable table) {
        this.routes = new Routes(table, RouteSigners.of(table, config.sigIss(), config.sigKey()));
    }

    /** The signer of {@code route} (null: the configuration's), from the routes in force when it was loaded. */
    public RouteSigner signer(Route route) {
        return routes.signers().of(route);
    }

    /** What the proxy reports through; each client connection binds it to its id. */
    public ProxyObserver observer() {
        return observer;
    }

    /** Where dropped messages are counted (the hub counts its own drops on the same instance). */
    public Drops drops() {
        return drops;
    }

    /** Opens origin connections of any kind (HTTP, WebSocket) on a caller's loop. */
    public OriginConnector connector() {
        return connector;
    }

    /** Keep-alive HTTP origin connections. */
    public OriginPool pool() {
        return pool;
    }

    /** Requests the proxy makes on its own behalf (next and gone links). */
    public OriginClient client() {
        return client;
    }

    /** Closes the idle origin connections and the name resolvers. */
    public void close() {
        pool.close();
        connector.close();
    }
}
