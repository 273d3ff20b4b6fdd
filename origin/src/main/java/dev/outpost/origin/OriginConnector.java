package dev.outpost.origin;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.resolver.dns.DnsAddressResolverGroup;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.function.Consumer;
import javax.net.ssl.SSLException;

/**
 * Opens connections on the caller's event loop. Names are looked up with Netty's asynchronous DNS resolver (one
 * resolver per loop, the hosts file first, no thread pool); each address found is tried in turn; for a TLS endpoint
 * the returned future completes only once the handshake is done, so a TLS failure is a connect failure. The socket
 * and datagram types are the loops' transport (epoll, io_uring or NIO).
 *
 * <p>Thread-safe; one per proxy (or per process part), closed with it.
 */
public final class OriginConnector implements AutoCloseable {
    /** A connection attempt to one address fails after this long. */
    public static final int CONNECT_TIMEOUT_MILLIS = 10_000;

    private final Class<? extends SocketChannel> socketType;
    private final DnsAddressResolverGroup dns;
    private final TlsContexts tls = new TlsContexts();

    /** Sockets of {@code socketType}, name lookups over {@code datagramType}: both must suit the loops used. */
    public OriginConnector(Class<? extends SocketChannel> socketType, Class<? extends DatagramChannel> datagramType) {
        this.socketType = socketType;
        this.dns = new DnsAddressResolverGroup(new DnsNameResolverBuilder().datagramChannelType(datagramType));
    }

    /** This connector's TLS contexts. */
    public TlsContexts tls() {
        return tls;
    }

    /**
     * Connects to {@code endpoint} on {@code loop}. {@code pipeline} adds the caller's handlers (after the TLS
     * handler, if any) when the channel is created; it may also change the channel's configuration (auto-read).
     * The future fails with the last address's error when none could be reached.
     */
    public Future<Channel> connect(EventLoop loop, Endpoint endpoint, Consumer<Channel> pipeline) {
        Promise<Channel> promise = loop.newPromise();
        SslContext ssl;
        try {
            ssl = endpoint.tls() ? tls.forTrust(endpoint.insecure()) : null;
        } catch (SSLException e) {
            promise.setFailure(e);
            return promise;
        }
        Bootstrap b = new Bootstrap()
                .group(loop)
                .channel(socketType)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MILLIS)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (ssl != null) {
                            ch.pipeline()
                                    .addLast("tls", ssl.newHandler(ch.alloc(), endpoint.serverName(), endpoint.port()));
                        }
                        pipeline.accept(ch);
                    }
                });
        byte[] literal = NetUtil.createByteArrayFromIpAddressString(endpoint.host());
        if (literal != null) {
            try {
                InetAddress a = InetAddress.getByAddress(endpoint.host(), literal);
                connectEach(b, List.of(new InetSocketAddress(a, endpoint.port())), 0, null, promise);
            } catch (UnknownHostException e) {
                promise.tryFailure(e);
            }
            return promise;
        }
        Future<List<InetSocketAddress>> found;
        try {
            found = dns.getResolver(loop)
                    .resolveAll(InetSocketAddress.createUnresolved(endpoint.host(), endpoint.port()));
        } catch (RuntimeException e) {
            // the group is closed: the proxy is stopping
            promise.tryFailure(e);
            return promise;
        }
        found.addListener(f -> {
            if (f.isSuccess()) {
                connectEach(b, found.getNow(), 0, null, promise);
            } else {
                promise.tryFailure(f.cause());
            }
        });
        return promise;
    }

    private static void connectEach(
            Bootstrap b, List<InetSocketAddress> addrs, int i, Throwable last, Promise<Channel> promise) {
        if (i >= addrs.size()) {
            promise.tryFailure(last != null ? last : new UnknownHostException("no address"));
            return;
        }
        b.connect(addrs.get(i)).addListener((ChannelFuture f) -> {
            if (!f.isSuccess()) {
                connectEach(b, addrs, i + 1, f.cause(), promise);
                return;
            }
            SslHandler tlsHandler = f.channel().pipeline().get(SslHandler.class);
            if (tlsHandler == null) {
                handOver(f.channel(), promise);
                return;
            }
            tlsHandler.handshakeFuture().addListener(h -> {
                if (h.isSuccess()) {
                    handOver(f.channel(), promise);
                } else {
                    // a TLS failure is a connect failure (as in Pushpin): the caller tries its next target
                    f.channel().close();
                    promise.tryFailure(h.cause());
                }
            });
        });
    }

    private static void handOver(Channel ch, Promise<Channel> promise) {
        if (!promise.trySuccess(ch)) {
            ch.close();
        }
    }

    /** Stops the name resolvers; connections already open are not touched. */
    @Override
    public void close() {
        dns.close();
    }
}
