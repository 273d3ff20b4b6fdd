package dev.outpost.proxy.publish;

import dev.outpost.proxy.pubsub.ChannelHub;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;

/** Builds the publish API pipeline. The listener itself is bound by {@code OutpostProxy}. */
public final class PublishServer extends ChannelInitializer<SocketChannel> {
    /** Pushpin's {@code push_in_http_max_headers_size}. */
    static final int MAX_HEADER_SIZE = 10_000;

    private final ChannelHub hub;
    private final int maxBody;

    public PublishServer(ChannelHub hub, int maxBody) {
        this.hub = hub;
        this.maxBody = maxBody;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ch.pipeline()
                .addLast("codec", new HttpServerCodec(4096, MAX_HEADER_SIZE, 8192))
                .addLast("keepAlive", new HttpServerKeepAliveHandler())
                .addLast("aggregator", new PublishBodyAggregator(maxBody))
                .addLast("api", new PublishApiHandler(hub));
    }
}
