package dev.outpost.proxy.publish;

import dev.outpost.origin.ClientTimeouts;
import dev.outpost.proxy.config.ProxyLimits;
import dev.outpost.proxy.observe.ProxyObserver;
import dev.outpost.proxy.pubsub.ChannelHub;
import dev.outpost.proxy.pubsub.Drops;
import dev.outpost.proxy.server.TimeoutReport;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;

/**
 * Builds the publish API pipeline: codec → timeouts (the client port's) → keep-alive → body → API. The listener
 * itself is bound by {@code OutpostProxy}.
 */
public final class PublishServer extends ChannelInitializer<SocketChannel> {
    /** Pushpin's {@code push_in_http_max_headers_size}. */
    static final int MAX_HEADER_SIZE = 10_000;

    private final ChannelHub hub;
    private final int maxBody;
    private final ProxyLimits limits;
    private final TimeoutReport timeouts;
    private final PublishAuth auth;
    private final ProxyObserver observer;

    public PublishServer(ChannelHub hub, int maxBody, ProxyLimits limits, Drops drops) {
        this(hub, maxBody, limits, drops, null, ProxyObserver.NOOP);
    }

    /**
     * With {@code auth} (null: the port is open to anyone who can reach it, as Pushpin's) and the observer that hears
     * each publish received.
     */
    public PublishServer(
            ChannelHub hub, int maxBody, ProxyLimits limits, Drops drops, PublishAuth auth, ProxyObserver observer) {
        this.auth = auth;
        this.hub = hub;
        this.maxBody = maxBody;
        this.limits = limits;
        this.observer = observer;
        this.timeouts = new TimeoutReport(drops, "publish");
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ch.pipeline()
                .addLast("codec", new HttpServerCodec(4096, MAX_HEADER_SIZE, 8192))
                .addLast(
                        "timeouts",
                        new ClientTimeouts(
                                limits.clientHeaderTimeout(),
                                limits.clientKeepAliveTimeout(),
                                limits.clientBodyTimeout(),
                                timeouts))
                .addLast("keepAlive", new HttpServerKeepAliveHandler())
                .addLast("aggregator", new PublishBodyAggregator(maxBody))
                .addLast("api", new PublishApiHandler(hub, auth, observer));
    }
}
