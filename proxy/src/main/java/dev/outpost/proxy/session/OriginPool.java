package dev.outpost.proxy.session;

import dev.outpost.proxy.server.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * Keep-alive origin connections, per event loop and per {@link Key}: a client's exchange only ever takes a
 * connection living on its own loop, so the pool of one loop is touched by that loop's thread alone.
 */
final class OriginPool {
    /** Idle connections kept per key and loop. */
    static final int MAX_IDLE = 64;
    /** An idle pooled connection is closed after this long. */
    static final int IDLE_SECONDS = 60;

    static final int CONNECT_TIMEOUT_MILLIS = 10_000;
    static final int MAX_RESPONSE_HEADER_SIZE = 64 * 1024;

    /** Where and how to connect. {@code sniHost} is also the name the certificate must match. */
    record Key(String host, int port, boolean ssl, String sniHost, boolean insecure) {}

    private final Transport transport;
    private final Map<EventLoop, Map<Key, ArrayDeque<Channel>>> idle = new ConcurrentHashMap<>();
    private volatile SslContext verifying;
    private volatile SslContext trusting;
    private volatile boolean closed;
    /** Name lookups block, so they never run on an event loop. */
    private final ExecutorService resolver = resolverPool();

    private static ExecutorService resolverPool() {
        ThreadPoolExecutor e = new ThreadPoolExecutor(
                4,
                4,
                30,
                TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(),
                new DefaultThreadFactory("outpost-resolve", true));
        e.allowCoreThreadTimeOut(true);
        return e;
    }

    OriginPool(Transport transport) {
        this.transport = transport;
    }

    /** The idle connections of {@code loop}, by key; only that loop's thread may touch the map. */
    Map<Key, ArrayDeque<Channel>> idleOn(EventLoop loop) {
        return idle.computeIfAbsent(loop, l -> new HashMap<>());
    }

    /** An idle connection for {@code key} from a loop's map ({@link #idleOn}), or null. Call on that loop. */
    static Channel pollIdle(Map<Key, ArrayDeque<Channel>> m, Key key) {
        ArrayDeque<Channel> q = m.get(key);
        if (q == null) {
            return null;
        }
        Channel ch;
        while ((ch = q.pollLast()) != null) {
            if (ch.isActive()) {
                return ch;
            }
        }
        return null;
    }

    /**
     * Opens a new connection on {@code loop}; its last handler is an {@link OriginHandler}. Names are looked up off
     * the event loop, and each address is tried in turn.
     */
    Future<Channel> connect(EventLoop loop, Key key) {
        Promise<Channel> promise = loop.newPromise();
        byte[] literal = NetUtil.createByteArrayFromIpAddressString(key.host());
        if (literal != null) {
            try {
                connectEach(loop, key, List.of(InetAddress.getByAddress(key.host(), literal)), 0, null, promise);
            } catch (UnknownHostException e) {
                promise.tryFailure(e);
            }
            return promise;
        }
        try {
            resolver.execute(() -> {
                try {
                    List<InetAddress> all = List.of(InetAddress.getAllByName(key.host()));
                    loop.execute(() -> connectEach(loop, key, all, 0, null, promise));
                } catch (UnknownHostException e) {
                    promise.tryFailure(e);
                }
            });
        } catch (RejectedExecutionException e) {
            promise.tryFailure(e);
        }
        return promise;
    }

    private void connectEach(
            EventLoop loop, Key key, List<InetAddress> addrs, int i, Throwable last, Promise<Channel> promise) {
        if (i >= addrs.size()) {
            promise.tryFailure(last != null ? last : new UnknownHostException(key.host()));
            return;
        }
        bootstrap(loop, key)
                .connect(new InetSocketAddress(addrs.get(i), key.port()))
                .addListener((ChannelFuture f) -> {
                    if (f.isSuccess()) {
                        if (!promise.trySuccess(f.channel())) {
                            f.channel().close();
                        }
                    } else {
                        connectEach(loop, key, addrs, i + 1, f.cause(), promise);
                    }
                });
    }

    private Bootstrap bootstrap(EventLoop loop, Key key) {
        SslContext ssl = key.ssl() ? sslContext(key.insecure()) : null;
        Bootstrap b = new Bootstrap()
                .group(loop)
                .channel(transport.socketChannel())
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MILLIS)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ChannelPipeline p = ch.pipeline();
                        if (ssl != null) {
                            p.addLast("tls", ssl.newHandler(ch.alloc(), key.sniHost(), key.port()));
                        }
                        p.addLast("codec", new HttpClientCodec(4096, MAX_RESPONSE_HEADER_SIZE, 8192));
                        p.addLast("idle", new IdleStateHandler(0, 0, IDLE_SECONDS, TimeUnit.SECONDS));
                        p.addLast("origin", new OriginHandler());
                    }
                });
        return b;
    }

    /**
     * Takes back a connection whose last response was read completely. Call on the connection's loop.
     */
    void release(Channel ch, Key key) {
        release(ch, OriginHandler.of(ch), key);
    }

    /** As {@link #release(Channel, Key)}, with the connection's {@link OriginHandler} at hand. */
    void release(Channel ch, OriginHandler h, Key key) {
        if (closed || h == null || !ch.isActive()) {
            ch.close();
            return;
        }
        h.listener(null);
        ArrayDeque<Channel> q = idle.computeIfAbsent(ch.eventLoop(), l -> new HashMap<>())
                .computeIfAbsent(key, k -> new ArrayDeque<>());
        if (q.size() >= MAX_IDLE) {
            ch.close();
            return;
        }
        q.addLast(ch);
        if (!h.pooledBefore) {
            h.pooledBefore = true;
            ch.closeFuture().addListener(f -> q.remove(ch));
        }
        // keep a read pending so that a close by the origin is noticed while idle
        ch.read();
    }

    private SslContext sslContext(boolean insecure) {
        SslContext c = insecure ? trusting : verifying;
        if (c != null) {
            return c;
        }
        synchronized (this) {
            try {
                if (insecure) {
                    if (trusting == null) {
                        trusting = SslContextBuilder.forClient()
                                .trustManager(InsecureTrustManagerFactory.INSTANCE)
                                .endpointIdentificationAlgorithm(null)
                                .build();
                    }
                    return trusting;
                }
                if (verifying == null) {
                    verifying = SslContextBuilder.forClient()
                            .endpointIdentificationAlgorithm("HTTPS")
                            .build();
                }
                return verifying;
            } catch (SSLException e) {
                throw new IllegalStateException("TLS client context: " + e.getMessage(), e);
            }
        }
    }

    void close() {
        closed = true;
        resolver.shutdownNow();
        for (Map.Entry<EventLoop, Map<Key, ArrayDeque<Channel>>> e : idle.entrySet()) {
            e.getKey().execute(() -> {
                for (ArrayDeque<Channel> q : e.getValue().values()) {
                    for (Channel ch : q.toArray(new Channel[0])) {
                        ch.close();
                    }
                }
            });
        }
    }
}
