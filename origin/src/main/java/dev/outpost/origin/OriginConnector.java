package dev.outpost.origin;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
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
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;

/**
 * Opens connections on the caller's event loop. Names are looked up with Netty's asynchronous DNS resolver (one
 * resolver per loop, the hosts file first, answers too long for UDP asked again over TCP, no thread pool); each
 * address found is tried in turn, in the {@linkplain ConnectOptions.AddressOrder order} asked for, within the
 * {@linkplain ConnectOptions timeouts} asked for; for a TLS endpoint the returned future completes only once the
 * handshake is done, so a TLS failure is a connect failure. TLS contexts come from one {@link TlsContexts} cache. The
 * socket and datagram types are the loops' transport (epoll, io_uring or NIO).
 *
 * <p>Thread-safe; one per proxy (or per Compute server), closed with it.
 */
public final class OriginConnector implements AutoCloseable {
    /** A connection attempt to one address fails after this long, unless the caller's options say otherwise. */
    public static final int CONNECT_TIMEOUT_MILLIS = 10_000;

    private final Class<? extends SocketChannel> socketType;
    private final DnsAddressResolverGroup dns;
    private final TlsContexts tls = new TlsContexts();

    /** Sockets of {@code socketType}, name lookups over {@code datagramType}: both must suit the loops used. */
    public OriginConnector(Class<? extends SocketChannel> socketType, Class<? extends DatagramChannel> datagramType) {
        this.socketType = socketType;
        this.dns = new DnsAddressResolverGroup(
                new DnsNameResolverBuilder().datagramChannelType(datagramType).socketChannelType(socketType));
    }

    /** This connector's TLS contexts. */
    public TlsContexts tls() {
        return tls;
    }

    /** As {@link #connect(EventLoop, Endpoint, ConnectOptions, Consumer)} with {@link ConnectOptions#DEFAULT}. */
    public Future<Channel> connect(EventLoop loop, Endpoint endpoint, Consumer<Channel> pipeline) {
        return connect(loop, endpoint, ConnectOptions.DEFAULT, pipeline);
    }

    /**
     * Connects to {@code endpoint} on {@code loop}. {@code pipeline} adds the caller's handlers (after the TLS
     * handler, if any) when the channel is created, before it connects; it may also change the channel's
     * configuration (auto-read, socket options). The future fails with the TLS settings' {@link SSLException} before
     * any connection when they cannot be used, with the name's {@link java.net.UnknownHostException} when it has no
     * address, with a {@link ConnectTimeoutException} when the total time is spent, with the handshake's failure,
     * else with the last address's error when none could be reached.
     */
    public Future<Channel> connect(
            EventLoop loop, Endpoint endpoint, ConnectOptions options, Consumer<Channel> pipeline) {
        Promise<Channel> promise = loop.newPromise();
        SslContext ssl;
        try {
            ssl = endpoint.tls() ? tls.context(options.tls() != null ? options.tls() : trustOf(endpoint)) : null;
        } catch (SSLException e) {
            promise.setFailure(e);
            return promise;
        }
        Attempts attempts = new Attempts(loop, endpoint, options, ssl, pipeline, promise);
        byte[] literal = NetUtil.createByteArrayFromIpAddressString(endpoint.host());
        if (literal != null) {
            try {
                InetAddress a = InetAddress.getByAddress(endpoint.host(), literal);
                attempts.next(List.of(new InetSocketAddress(a, endpoint.port())), 0, null);
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
            // the group is closed: the server is stopping
            promise.tryFailure(e);
            return promise;
        }
        found.addListener(f -> {
            if (f.isSuccess()) {
                attempts.next(options.order().apply(found.getNow()), 0, null);
            } else {
                promise.tryFailure(f.cause());
            }
        });
        return promise;
    }

    private static TlsSettings trustOf(Endpoint endpoint) {
        return endpoint.insecure() ? TlsSettings.INSECURE : TlsSettings.VERIFYING;
    }

    /** One connect: the addresses in turn, within the time allowed. */
    private final class Attempts {
        private final EventLoop loop;
        private final Endpoint endpoint;
        private final ConnectOptions options;
        private final SslContext ssl;
        private final Consumer<Channel> pipeline;
        private final Promise<Channel> promise;
        /** nanoTime by which the whole connect must be done; 0 for no such bound. */
        private final long deadline;

        Attempts(
                EventLoop loop,
                Endpoint endpoint,
                ConnectOptions options,
                SslContext ssl,
                Consumer<Channel> pipeline,
                Promise<Channel> promise) {
            this.loop = loop;
            this.endpoint = endpoint;
            this.options = options;
            this.ssl = ssl;
            this.pipeline = pipeline;
            this.promise = promise;
            this.deadline = options.total().isZero()
                    ? 0
                    : System.nanoTime() + options.total().toNanos();
        }

        /** Tries the {@code i}th address, else fails with {@code last} (or the time being spent). */
        void next(List<InetSocketAddress> addrs, int i, Throwable last) {
            long millis = options.perAddress().toMillis();
            if (deadline != 0) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    promise.tryFailure(
                            last instanceof ConnectTimeoutException
                                    ? last
                                    : new ConnectTimeoutException("connect timeout"));
                    return;
                }
                millis = Math.min(millis, left);
            }
            if (i >= addrs.size()) {
                promise.tryFailure(last != null ? last : new UnknownHostException(endpoint.host() + ": no address"));
                return;
            }
            // The TLS handler as made, not looked up later: a handshake that fails fast closes the channel and
            // empties its pipeline before the connect listener runs, and the caller must still hear of the failure.
            SslHandler[] made = new SslHandler[1];
            Bootstrap b = new Bootstrap()
                    .group(loop)
                    .channel(socketType)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, millis))
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            if (ssl != null) {
                                made[0] = handler(ch);
                                ch.pipeline().addLast("tls", made[0]);
                            }
                            pipeline.accept(ch);
                        }
                    });
            b.connect(addrs.get(i)).addListener((ChannelFuture f) -> {
                if (!f.isSuccess()) {
                    next(addrs, i + 1, f.cause());
                    return;
                }
                if (made[0] == null) {
                    handOver(f.channel(), promise);
                    return;
                }
                // The handshake is part of connecting: it gets what is left of the connect time (of this address's
                // when there is no total), not Netty's own 10 s. Failing the promise first makes the close that
                // follows, which fails the handshake too, change nothing.
                long left = deadline != 0
                        ? Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()))
                        : options.perAddress().toMillis();
                Future<?> limit = f.channel()
                        .eventLoop()
                        .schedule(
                                () -> {
                                    if (!made[0].handshakeFuture().isDone()) {
                                        promise.tryFailure(new ConnectTimeoutException(
                                                "TLS handshake not done within the connect timeout"));
                                        f.channel().close();
                                    }
                                },
                                left,
                                TimeUnit.MILLISECONDS);
                made[0].handshakeFuture().addListener(h -> {
                    limit.cancel(false);
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

        /** A handler whose engine checks the endpoint's server name and sends the server name asked for. */
        private SslHandler handler(Channel ch) {
            SslHandler h = ssl.newHandler(ch.alloc(), endpoint.serverName(), endpoint.port());
            h.setHandshakeTimeoutMillis(0); // bounded by the connect time instead (next)
            String sni = options.sni();
            if (sni != null && !sni.equals(endpoint.serverName())) {
                SSLEngine engine = h.engine();
                SSLParameters params = engine.getSSLParameters();
                params.setServerNames(sni.isEmpty() ? List.of() : List.of(new SNIHostName(sni)));
                engine.setSSLParameters(params);
            }
            return h;
        }
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
