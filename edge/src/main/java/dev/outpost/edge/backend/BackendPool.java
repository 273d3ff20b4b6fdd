package dev.outpost.edge.backend;

import dev.outpost.edge.config.BackendConfig;
import dev.outpost.edge.config.BackendOptions;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Keep-alive connections to backends, idle ones kept per endpoint for reuse, as Fastly pools them: a connection is
 * kept for the backend's {@code http_keepalive_time} (60 s unless it says otherwise), reused up to its
 * {@code max_use} requests and {@code max_lifetime}, and at most {@code max_connections} (16 unless it says) idle
 * ones per endpoint. A connection the server closes while idle leaves the pool at once. Thread-safe.
 */
final class BackendPool {
    static final int DEFAULT_MAX_IDLE = 16;

    /** Everything that makes two backends' connections interchangeable. */
    record Endpoint(
            String host,
            int port,
            boolean tls,
            String certHost,
            boolean useSni,
            String sni,
            String ca,
            String clientCert,
            String clientKey,
            int minTls,
            int maxTls,
            String ciphers) {
        static Endpoint of(BackendConfig b) {
            BackendOptions o = b.options();
            return new Endpoint(
                    b.url().getHost(),
                    b.port(),
                    b.tls(),
                    b.certHost(),
                    b.useSni(),
                    o.sniHostname(),
                    b.caCertificates(),
                    o.clientCertificate(),
                    o.clientKey() == null ? null : Base64.getEncoder().encodeToString(o.clientKey()),
                    o.minTlsVersion(),
                    o.maxTlsVersion(),
                    o.ciphers());
        }
    }

    /** A connection and its history. */
    static final class Connection {
        final Channel channel;
        final long created = System.nanoTime();
        int uses;
        ScheduledFuture<?> idleTimer;

        Connection(Channel channel) {
            this.channel = channel;
        }
    }

    private final Map<Endpoint, ArrayDeque<Connection>> idle = new HashMap<>();
    private final AtomicLong opened = new AtomicLong();
    private final AtomicLong reused = new AtomicLong();

    /** An idle connection to {@code endpoint}, taken out of the pool, or null. */
    Connection take(Endpoint endpoint) {
        while (true) {
            Connection c;
            synchronized (this) {
                ArrayDeque<Connection> q = idle.get(endpoint);
                c = q == null ? null : q.pollLast();
            }
            if (c == null) {
                return null;
            }
            if (c.idleTimer != null) {
                c.idleTimer.cancel(false);
            }
            if (c.channel.isActive()) {
                reused.incrementAndGet();
                return c;
            }
        }
    }

    void opened() {
        opened.incrementAndGet();
    }

    /** Keeps {@code c} for reuse if the backend allows it; closes it otherwise. */
    void release(Endpoint endpoint, BackendConfig backend, Connection c) {
        BackendOptions o = backend.options();
        long age = System.nanoTime() - c.created;
        boolean keep = o.pooled()
                && c.channel.isActive()
                && (o.maxUse() <= 0 || c.uses < o.maxUse())
                && (o.maxLifetime().isZero() || age < o.maxLifetime().toNanos())
                && !o.httpKeepalive().isZero();
        if (keep) {
            int maxIdle = o.maxConnections() > 0 ? o.maxConnections() : DEFAULT_MAX_IDLE;
            synchronized (this) {
                ArrayDeque<Connection> q = idle.computeIfAbsent(endpoint, e -> new ArrayDeque<>());
                if (q.size() < maxIdle) {
                    c.channel.pipeline().replace("exchange", "exchange", new Idle(endpoint, c));
                    q.addLast(c);
                    c.idleTimer = c.channel
                            .eventLoop()
                            .schedule(
                                    () -> evict(endpoint, c), o.httpKeepalive().toMillis(), TimeUnit.MILLISECONDS);
                    return;
                }
            }
        }
        c.channel.close();
    }

    private void evict(Endpoint endpoint, Connection c) {
        synchronized (this) {
            ArrayDeque<Connection> q = idle.get(endpoint);
            if (q == null || !q.remove(c)) {
                return;
            }
            if (q.isEmpty()) {
                idle.remove(endpoint);
            }
        }
        c.channel.close();
    }

    /** Connections opened, and requests sent on a reused connection, since start. */
    long openedCount() {
        return opened.get();
    }

    long reusedCount() {
        return reused.get();
    }

    /** Closes every idle connection. */
    void close() {
        synchronized (this) {
            idle.values().forEach(q -> q.forEach(c -> c.channel.close()));
            idle.clear();
        }
    }

    /** Watches an idle connection: the server closing it, or sending what nobody asked for, ends it. */
    private final class Idle extends ChannelInboundHandlerAdapter {
        private final Endpoint endpoint;
        private final Connection connection;

        Idle(Endpoint endpoint, Connection connection) {
            this.endpoint = endpoint;
            this.connection = connection;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
            evict(endpoint, connection);
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            evict(endpoint, connection);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            evict(endpoint, connection);
            ctx.close();
        }
    }
}
