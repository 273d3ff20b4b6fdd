package dev.outpost.proxy;

import dev.outpost.proxy.config.ProxyConfig;
import dev.outpost.proxy.config.ProxyLimits;
import dev.outpost.proxy.observe.Inspector;
import dev.outpost.proxy.observe.InspectorServer;
import dev.outpost.proxy.observe.InspectorSettings;
import dev.outpost.proxy.observe.ProxyObserver;
import dev.outpost.proxy.publish.PublishAuth;
import dev.outpost.proxy.publish.PublishServer;
import dev.outpost.proxy.pubsub.ChannelHub;
import dev.outpost.proxy.pubsub.Drops;
import dev.outpost.proxy.route.RouteTable;
import dev.outpost.proxy.server.ConnectionLimiter;
import dev.outpost.proxy.server.DescriptorLimit;
import dev.outpost.proxy.server.ListenException;
import dev.outpost.proxy.server.ProxyChannelInitializer;
import dev.outpost.proxy.server.TlsIdentities;
import dev.outpost.proxy.server.TlsListeners;
import dev.outpost.proxy.server.Transport;
import dev.outpost.proxy.session.ClientConnection;
import dev.outpost.proxy.session.ProxyContext;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroupFuture;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running GRIP proxy: the client listener and the publish listener, on one small event-loop group. A plain object:
 * several can run in one JVM, port 0 picks free ports.
 *
 * <pre>{@code
 * try (OutpostProxy p = OutpostProxy.start(ProxyConfig.builder().httpPort(0).publishPort(0).build(), routes)) {
 *     p.httpPort(); p.publishPort();
 * }
 * }</pre>
 */
public final class OutpostProxy implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(OutpostProxy.class);
    /** Event loops at most; one per core below that. */
    static final int MAX_LOOPS = 4;
    /** How long {@link #close()} waits for connections to close once it closed them. */
    static final long CLOSE_WAIT_MILLIS = 2000;

    private final ProxyConfig config;
    private final ChannelHub hub;
    private final ProxyContext context;
    private final EventLoopGroup group;
    private final ConnectionLimiter limiter;
    private final Channel httpChannel;
    private final Channel publishChannel;
    /** The TLS client listeners ({@code https_ports}), in the configuration's order. */
    private final List<Channel> httpsChannels = new ArrayList<>();
    /** The hub this proxy created (and closes), or null when the caller gave one. */
    private ChannelHub ownHub;
    /** Metrics and the inspector, or null when no inspector port is configured. */
    private final Inspector inspector;

    private final InspectorServer inspectorServer;

    private OutpostProxy(ProxyConfig config, RouteTable routes, ChannelHub givenHub, HubFactory factory, Drops drops) {
        this.config = config;
        Transport transport = Transport.detect();
        // the settings are checked before anything is started
        ProxyLimits limits = ProxyLimits.of(config);
        PublishAuth publishAuth = PublishAuth.of(config);
        this.group = transport.newGroup("outpost", MAX_LOOPS);
        ChannelHub hub = givenHub;
        if (hub == null) {
            try {
                hub = factory.create(new HubFactory.Env(config, drops, group, transport.name()));
            } catch (RuntimeException e) {
                group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
                throw e;
            }
            this.ownHub = hub;
        }
        this.hub = hub;
        Integer inspectorPort = InspectorSettings.port(config);
        this.inspector = inspectorPort == null ? null : new Inspector(hub, InspectorSettings.prefix(config));
        this.context = new ProxyContext(
                config,
                limits,
                routes,
                new ProxyContext.Shared(hub, drops, inspector == null ? ProxyObserver.NOOP : inspector, transport));
        this.limiter = new ConnectionLimiter(
                maxConnections(
                        config.clientMaxConn(),
                        config.setting("runner/client_maxconn").isPresent()),
                drops);
        Channel http = null;
        Channel publish = null;
        try {
            http = new ServerBootstrap()
                    .group(group)
                    .channel(transport.serverChannel())
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childOption(ChannelOption.AUTO_READ, false)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 * 1024, 64 * 1024))
                    .childHandler(new ProxyChannelInitializer(context, limiter))
                    .bind(config.httpHost(), config.httpPort())
                    .syncUninterruptibly()
                    .channel();
            publish = new ServerBootstrap()
                    .group(group)
                    .channel(transport.serverChannel())
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new PublishServer(
                            hub,
                            config.publishMaxBodySize(),
                            context.limits(),
                            context.drops(),
                            publishAuth,
                            context.observer()))
                    .bind(config.publishHost(), config.publishPort())
                    .syncUninterruptibly()
                    .channel();
        } catch (Exception e) {
            // syncUninterruptibly() rethrows a BindException as is, though it is checked
            if (http != null) {
                http.close().syncUninterruptibly();
            }
            if (inspector != null) {
                inspector.close();
            }
            if (ownHub != null) {
                ownHub.close();
            }
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw http == null
                    ? new ListenException("client port", config.httpHost(), config.httpPort(), e)
                    : new ListenException("publish port", config.publishHost(), config.publishPort(), e);
        }
        this.httpChannel = http;
        this.publishChannel = publish;
        try {
            bindTls(TlsListeners.of(config), transport);
        } catch (RuntimeException e) {
            httpsChannels.forEach(c -> c.close().syncUninterruptibly());
            http.close().syncUninterruptibly();
            publish.close().syncUninterruptibly();
            if (inspector != null) {
                inspector.close();
            }
            if (ownHub != null) {
                ownHub.close();
            }
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
        InspectorServer is = null;
        if (inspector != null) {
            try {
                is = InspectorServer.start(
                        inspector,
                        group,
                        transport.serverChannel(),
                        InspectorSettings.host(config),
                        inspectorPort,
                        context.limits(),
                        context.drops());
            } catch (RuntimeException e) {
                http.close().syncUninterruptibly();
                publish.close().syncUninterruptibly();
                inspector.close();
                if (ownHub != null) {
                    ownHub.close();
                }
                group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
                throw e;
            }
        }
        this.inspectorServer = is;
        if (inspector != null) {
            inspector.metrics().mirror(drops.registry(), Drops.METER);
            inspector.metrics().mirror(drops.registry(), Drops.LIMIT_METER);
            inspector.watch(drops);
        }
        log.info(
                "proxy listening on {} (publish on {}), {} transport",
                http.localAddress(),
                publish.localAddress(),
                transport.name());
    }

    /** Binds one client listener per {@code https_ports} entry, with the certificates of {@code certs_dir}. */
    private void bindTls(TlsListeners tls, Transport transport) {
        if (tls.addresses().isEmpty()) {
            return;
        }
        TlsIdentities identities = new TlsIdentities(tls.certsDir());
        if (!Files.isDirectory(tls.certsDir())) {
            log.warn(
                    "https_ports: the certificates directory {} does not exist; TLS handshakes will fail",
                    tls.certsDir());
        }
        for (TlsListeners.Address a : tls.addresses()) {
            try {
                ProxyChannelInitializer init = new ProxyChannelInitializer(context, limiter, identities);
                Channel ch = new ServerBootstrap()
                        .group(group)
                        .channel(transport.serverChannel())
                        .option(ChannelOption.SO_BACKLOG, 1024)
                        .option(ChannelOption.SO_REUSEADDR, true)
                        .childOption(ChannelOption.AUTO_READ, false)
                        .childOption(ChannelOption.TCP_NODELAY, true)
                        .childOption(
                                ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 * 1024, 64 * 1024))
                        .childHandler(init)
                        .bind(a.host(), a.port())
                        .syncUninterruptibly()
                        .channel();
                httpsChannels.add(ch);
            } catch (Exception e) {
                throw new ListenException("https port, https_ports", a.host(), a.port(), e);
            }
        }
        log.info("TLS listening on {} (certificates from {})", httpsAddresses(), tls.certsDir());
    }

    /**
     * {@code client_maxconn}, lowered to what the process's descriptor limit allows: with a warning when the
     * configuration file set it, else (Pushpin's default, 50,000) with an info line.
     */
    private static int maxConnections(int configured, boolean fromFile) {
        long fds = DescriptorLimit.processLimit();
        int allowed = DescriptorLimit.allowedConnections(fds);
        if (configured <= allowed) {
            return configured;
        }
        if (!fromFile) {
            log.info("at most {} client connections: the descriptor limit (ulimit -n) is {}", allowed, fds);
            return allowed;
        }
        log.warn(
                "client_maxconn {} is more than the descriptor limit allows (ulimit -n is {}; some descriptors are kept"
                        + " for listeners, publishers and the origin connections of requests in flight):"
                        + " using {}. Raise the limit or lower client_maxconn to silence this.",
                configured,
                fds,
                allowed);
        return allowed;
    }

    /**
     * Binds both listeners; routes may be null or empty (then every request goes to the built-in test target).
     *
     * @throws ListenException when a listener cannot bind (the message says which, where, why and who holds it)
     */
    public static OutpostProxy start(ProxyConfig config, RouteTable routes) {
        return start(config, routes, HubFactory.LOCAL);
    }

    /**
     * As {@link #start(ProxyConfig, RouteTable)}, delivering through the hub {@code hubs} makes on the proxy's event
     * loops (a bus, issue #14); the proxy closes it.
     */
    public static OutpostProxy start(ProxyConfig config, RouteTable routes, HubFactory hubs) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(hubs, "hubs");
        Drops drops = new Drops(new SimpleMeterRegistry());
        return new OutpostProxy(config, routes == null ? RouteTable.of(List.of()) : routes, null, hubs, drops);
    }

    /**
     * As {@link #start(ProxyConfig, RouteTable)}, delivering through the given hub (which the caller closes) and
     * counting drops on {@code drops}, which the hub should count its own on too.
     */
    public static OutpostProxy start(ProxyConfig config, RouteTable routes, ChannelHub hub, Drops drops) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(hub, "hub");
        Objects.requireNonNull(drops, "drops");
        return new OutpostProxy(config, routes == null ? RouteTable.of(List.of()) : routes, hub, null, drops);
    }

    public int httpPort() {
        return ((InetSocketAddress) httpChannel.localAddress()).getPort();
    }

    public int publishPort() {
        return ((InetSocketAddress) publishChannel.localAddress()).getPort();
    }

    public InetSocketAddress httpAddress() {
        return (InetSocketAddress) httpChannel.localAddress();
    }

    /** The TLS client listeners' addresses ({@code https_ports}), empty without any. */
    public List<InetSocketAddress> httpsAddresses() {
        return httpsChannels.stream()
                .map(c -> (InetSocketAddress) c.localAddress())
                .toList();
    }

    public InetSocketAddress publishAddress() {
        return (InetSocketAddress) publishChannel.localAddress();
    }

    /** Requests that start from now on use {@code routes}; running ones keep theirs. */
    public void updateRoutes(RouteTable routes) {
        context.routes(Objects.requireNonNull(routes, "routes"));
    }

    public RouteTable routes() {
        return context.routes();
    }

    public ChannelHub hub() {
        return hub;
    }

    /** Counts of dropped messages, by reason ({@link Drops}). */
    public Drops drops() {
        return context.drops();
    }

    public ProxyConfig config() {
        return config;
    }

    /** The metrics and inspector listener's address, or null when it is off. */
    public InetSocketAddress inspectorAddress() {
        return inspectorServer == null ? null : inspectorServer.address();
    }

    /** Where other parts (the edge) report their events: the inspector, or a no-op when it is off. */
    public ProxyObserver observer() {
        return inspector == null ? ProxyObserver.NOOP : inspector;
    }

    /** The client connection limit in force: {@code client_maxconn}, or less when the descriptor limit is lower. */
    public int clientMaxConn() {
        return limiter.max();
    }

    /** Client connections open right now. */
    public int openConnections() {
        return limiter.openConnections();
    }

    /**
     * The graceful drain (docs/security.md, "Stopping"): stops listening, ends held requests cleanly (a long-poll gets
     * its timeout response, a stream its last chunk, a WebSocket a close frame 1001), lets requests in flight finish
     * for up to {@code [outpost] drain_timeout} (default 5 s), then closes what is still open.
     */
    @Override
    public void close() {
        if (!httpChannel.isOpen() && group.isShuttingDown()) {
            return;
        }
        httpChannel.close().syncUninterruptibly();
        httpsChannels.forEach(c -> c.close().syncUninterruptibly());
        publishChannel.close().syncUninterruptibly();
        if (inspector != null) {
            inspector.close();
            inspectorServer.close();
        }
        ChannelGroupFuture closed = limiter.clients().newCloseFuture();
        for (Channel ch : limiter.clients()) {
            ch.eventLoop().execute(() -> ch.pipeline().fireUserEventTriggered(ClientConnection.SHUTDOWN));
        }
        long drain = context.limits().drainTimeout().toMillis();
        if (!closed.awaitUninterruptibly(drain) && !limiter.clients().isEmpty()) {
            log.info(
                    "stopping: {} connection(s) still open after drain_timeout, closed",
                    limiter.clients().size());
        }
        limiter.clients().close().awaitUninterruptibly(CLOSE_WAIT_MILLIS);
        context.close();
        if (ownHub != null) {
            ownHub.close();
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
