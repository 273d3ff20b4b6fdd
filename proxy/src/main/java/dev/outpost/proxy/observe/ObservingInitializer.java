package dev.outpost.proxy.observe;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;

/**
 * Wraps the publish API's pipeline initializer: attaches the observer to the channel (see {@link Observe}), where the
 * API handler finds it. Client connections are given their observer instead ({@code ProxyContext}).
 */
public final class ObservingInitializer extends ChannelInitializer<SocketChannel> {
    private final ProxyObserver observer;
    private final ChannelHandler inner;

    public ObservingInitializer(ProxyObserver observer, ChannelHandler inner) {
        this.observer = observer;
        this.inner = inner;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ch.attr(Observe.KEY).set(observer);
        ch.pipeline().addLast(inner);
    }
}
