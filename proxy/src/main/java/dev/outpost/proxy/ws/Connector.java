package dev.outpost.proxy.ws;

import dev.outpost.proxy.route.Target;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;

/**
 * Opens origin connections for WebSocket and WebSocket-over-HTTP targets on the client's event loop. The future
 * completes once TCP (and TLS, for {@code ssl} targets) is up, so a TLS failure counts as a connect error.
 */
final class Connector {
    static final int CONNECT_TIMEOUT_MILLIS = 10_000;
    private static final ExecutorService RESOLVER =
            Executors.newCachedThreadPool(new DefaultThreadFactory("outpost-ws-resolve", true));
    private static volatile SslContext verifying;
    private static volatile SslContext trusting;

    private Connector() {}

    static Future<Channel> connect(EventLoop loop, Channel client, Target target, Supplier<ChannelHandler[]> handlers) {
        Promise<Channel> p = loop.newPromise();
        String host = unbracket(target.host());
        SslContext ssl;
        try {
            ssl = target.ssl() ? ssl(target.insecure()) : null;
        } catch (SSLException e) {
            p.setFailure(e);
            return p;
        }
        String sni = target.hostHeader() != null ? hostOnly(target.hostHeader()) : host;
        Bootstrap b = new Bootstrap()
                .group(loop)
                // the client's own channel type is the transport's (epoll, io_uring or NIO), which the loop runs
                .channel(
                        client instanceof SocketChannel
                                ? client.getClass().asSubclass(SocketChannel.class)
                                : NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MILLIS)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (ssl != null) {
                            ch.pipeline().addLast("tls", ssl.newHandler(ch.alloc(), sni, target.port()));
                        }
                        ch.pipeline().addLast(handlers.get());
                    }
                });
        if (NetUtil.createByteArrayFromIpAddressString(host) != null) {
            connected(b.connect(host, target.port()), p);
        } else {
            // name lookups block: never on the event loop
            RESOLVER.execute(() -> {
                try {
                    InetAddress a = InetAddress.getByName(host);
                    loop.execute(() -> connected(b.connect(new InetSocketAddress(a, target.port())), p));
                } catch (UnknownHostException | RuntimeException e) {
                    p.tryFailure(e);
                }
            });
        }
        return p;
    }

    private static void connected(ChannelFuture f, Promise<Channel> p) {
        f.addListener(x -> {
            if (!x.isSuccess()) {
                p.tryFailure(x.cause());
                return;
            }
            SslHandler tls = f.channel().pipeline().get(SslHandler.class);
            if (tls == null) {
                p.trySuccess(f.channel());
                return;
            }
            tls.handshakeFuture().addListener(h -> {
                if (h.isSuccess()) {
                    p.trySuccess(f.channel());
                } else {
                    f.channel().close();
                    p.tryFailure(h.cause());
                }
            });
        });
    }

    private static SslContext ssl(boolean insecure) throws SSLException {
        SslContext c = insecure ? trusting : verifying;
        if (c == null) {
            synchronized (Connector.class) {
                if (insecure) {
                    if (trusting == null) {
                        trusting = SslContextBuilder.forClient()
                                .trustManager(InsecureTrustManagerFactory.INSTANCE)
                                .build();
                    }
                    c = trusting;
                } else {
                    if (verifying == null) {
                        verifying = SslContextBuilder.forClient()
                                .endpointIdentificationAlgorithm("HTTPS")
                                .build();
                    }
                    c = verifying;
                }
            }
        }
        return c;
    }

    static String unbracket(String host) {
        if (host != null && host.startsWith("[") && host.endsWith("]")) {
            return host.substring(1, host.length() - 1);
        }
        return host;
    }

    static String hostOnly(String hostHeader) {
        String h = hostHeader.trim();
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            return end > 0 ? h.substring(1, end) : h;
        }
        int colon = h.indexOf(':');
        return colon >= 0 ? h.substring(0, colon) : h;
    }
}
