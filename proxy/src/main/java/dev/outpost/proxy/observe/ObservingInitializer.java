package dev.outpost.proxy.observe;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import java.net.InetSocketAddress;

/**
 * Wraps a pipeline's initializer: attaches the observer to the channel (see {@link Observe}) and, for client
 * connections, reports their open and close.
 */
public final class ObservingInitializer extends ChannelInitializer<SocketChannel> {
    private final ProxyObserver observer;
    private final ChannelHandler inner;
    private final boolean clients;

    /** @param clients whether the channels are client connections (reported) or publish API ones (not) */
    public ObservingInitializer(ProxyObserver observer, ChannelHandler inner, boolean clients) {
        this.observer = observer;
        this.inner = inner;
        this.clients = clients;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ch.attr(Observe.KEY).set(observer);
        if (!clients) {
            ch.pipeline().addLast(inner);
            return;
        }
        String id = Observe.id(ch);
        InetSocketAddress peer = ch.remoteAddress();
        observer.connectionOpened(
                id, "http", peer == null ? "?" : peer.getAddress().getHostAddress() + ":" + peer.getPort());
        ch.closeFuture().addListener(f -> observer.connectionClosed(id));
        ch.pipeline().addLast(inner);
    }
}
