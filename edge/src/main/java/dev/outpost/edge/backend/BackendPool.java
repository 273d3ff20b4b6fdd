package dev.outpost.edge.backend;

import dev.outpost.edge.config.BackendConfig;
import dev.outpost.edge.config.BackendOptions;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The connections to each backend ({@link BackendTarget}), as Fastly keeps them: at most {@code max_connections} open at once (idle ones
 * included; no limit unless the backend sets one), a request beyond it waiting for one to come free, for as long as
 * the backend's connect timeout and behind at most {@link #MAX_WAITING} others, else failing with
 * {@code connection_limit_reached}. Keep-alive connections are kept idle for reuse for the backend's
 * {@code http_keepalive_time} (60 s unless it says otherwise), reused up to its {@code max_use} requests and
 * {@code max_lifetime}, at most {@link #DEFAULT_MAX_IDLE} idle ones when it sets no limit. A connection the server
 * closes while idle leaves the pool at once. Thread-safe.
 */
final class BackendPool {
    static final int DEFAULT_MAX_IDLE = 16;

    /** Requests that may wait for a connection to one backend; beyond them a request fails at once. */
    static final int MAX_WAITING = 1024;

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

    /** How a request is given its connection (called outside the pool's lock). */
    interface Lease {
        /** An idle connection to reuse, now the request's own. */
        void reuse(Connection c);

        /** A place for a new connection: open one, then report it with {@link #opened} or {@link #notOpened}. */
        void open();

        /** No connection came free in time, or too many requests wait already. */
        void refused(BackendException e);
    }

    /** A request waiting for a connection. */
    private static final class Waiter {
        final Lease lease;
        final boolean reuses;
        ScheduledFuture<?> timer;

        Waiter(Lease lease, boolean reuses) {
            this.lease = lease;
            this.reuses = reuses;
        }
    }

    /** One target's state. */
    private static final class Lane {
        final ArrayDeque<Connection> idle = new ArrayDeque<>();
        final ArrayDeque<Waiter> waiting = new ArrayDeque<>();
        /** Connections open or being opened, idle ones included. */
        int open;
        /** The backend's max_connections; 0: no limit. */
        int limit;

        boolean full() {
            return limit > 0 && open >= limit;
        }
    }

    private final ScheduledExecutorService timers;
    private final Map<BackendTarget, Lane> lanes = new HashMap<>();
    private final AtomicLong opened = new AtomicLong();
    private final AtomicLong reused = new AtomicLong();
    private final AtomicLong waited = new AtomicLong();

    /** @param timers runs the bounds of waiting requests */
    BackendPool(ScheduledExecutorService timers) {
        this.timers = timers;
    }

    /**
     * Finds {@code backend} a connection for one request: an idle one (unless the backend does not pool), else a
     * place for a new one, else a place in the queue until one comes free. {@code first}: ahead of the requests
     * already waiting (a request whose reused connection failed before it was sent).
     */
    void acquire(BackendTarget target, BackendConfig backend, boolean first, Lease lease) {
        BackendOptions o = backend.options();
        Connection idle = null;
        boolean open = false;
        BackendException refused = null;
        synchronized (this) {
            Lane lane = lanes.computeIfAbsent(target, e -> new Lane());
            lane.limit = Math.max(0, o.maxConnections());
            while (o.pooled() && idle == null && !lane.idle.isEmpty()) {
                Connection c = lane.idle.pollLast();
                c.idleTimer.cancel(false);
                // One the server closed just now leaves through its close listener.
                idle = c.channel.isActive() ? c : null;
            }
            if (idle == null) {
                if (!lane.full()) {
                    lane.open++;
                    open = true;
                } else if (lane.waiting.size() >= MAX_WAITING) {
                    refused = limitReached(backend, lane.limit, MAX_WAITING + " requests already wait for one");
                } else {
                    Waiter w = new Waiter(lease, o.pooled());
                    if (first) {
                        lane.waiting.addFirst(w);
                    } else {
                        lane.waiting.addLast(w);
                    }
                    waited.incrementAndGet();
                    long millis = backend.connectTimeout().toMillis();
                    int limit = lane.limit;
                    w.timer = timers.schedule(() -> giveUp(target, w, backend, limit), millis, TimeUnit.MILLISECONDS);
                }
            }
        }
        if (idle != null) {
            reused.incrementAndGet();
            lease.reuse(idle);
        } else if (open) {
            lease.open();
        } else if (refused != null) {
            lease.refused(refused);
        }
    }

    private static BackendException limitReached(BackendConfig backend, int limit, String why) {
        return new BackendException(
                SendErrorTag.CONNECTION_LIMIT_REACHED,
                "backend " + backend.name() + " (" + backend.url() + "): all " + limit
                        + " connections its max_connections allows are in use and " + why
                        + "; raise its max_connections (or its connect timeout, which bounds the wait)",
                null);
    }

    private void giveUp(BackendTarget target, Waiter w, BackendConfig backend, int limit) {
        synchronized (this) {
            Lane lane = lanes.get(target);
            if (lane == null || !lane.waiting.remove(w)) {
                return;
            }
            forgetIfUnused(target, lane);
        }
        w.lease.refused(limitReached(
                backend,
                limit,
                "none came free within the connect timeout of "
                        + backend.connectTimeout().toMillis() + " ms"));
    }

    /** The new connection {@link Lease#open} asked for is up; its close frees its place. */
    void opened(BackendTarget target, Connection c) {
        opened.incrementAndGet();
        c.channel.closeFuture().addListener(f -> closed(target, c));
    }

    /** The new connection {@link Lease#open} asked for could not be opened: its place is free again. */
    void notOpened(BackendTarget target) {
        closed(target, null);
    }

    private void closed(BackendTarget target, Connection c) {
        Waiter next = null;
        synchronized (this) {
            Lane lane = lanes.get(target);
            if (lane == null) {
                return;
            }
            if (c != null) {
                lane.idle.remove(c);
            }
            lane.open--;
            if (!lane.waiting.isEmpty() && !lane.full()) {
                next = lane.waiting.pollFirst();
                next.timer.cancel(false);
                lane.open++;
            } else {
                forgetIfUnused(target, lane);
            }
        }
        if (next != null) {
            next.lease.open();
        }
    }

    /** A lane with nothing open and nobody waiting goes (dynamic backends come and go). */
    private void forgetIfUnused(BackendTarget target, Lane lane) {
        if (lane.open == 0 && lane.waiting.isEmpty()) {
            lanes.remove(target, lane);
        }
    }

    /**
     * The request on {@code c} is over and the connection can carry another: it goes to the first waiting request,
     * else it is kept idle if the backend allows it, else closed.
     */
    void release(BackendTarget target, BackendConfig backend, Connection c) {
        BackendOptions o = backend.options();
        long age = System.nanoTime() - c.created;
        boolean keep = o.pooled()
                && c.channel.isActive()
                && (o.maxUse() <= 0 || c.uses < o.maxUse())
                && (o.maxLifetime().isZero() || age < o.maxLifetime().toNanos())
                && !o.httpKeepalive().isZero();
        Waiter next = null;
        if (keep) {
            synchronized (this) {
                Lane lane = lanes.get(target);
                if (lane != null && !lane.waiting.isEmpty() && lane.waiting.peekFirst().reuses) {
                    next = lane.waiting.pollFirst();
                    next.timer.cancel(false);
                } else if (lane != null
                        && lane.waiting.isEmpty()
                        && lane.idle.size() < (lane.limit > 0 ? lane.limit : DEFAULT_MAX_IDLE)) {
                    c.channel.pipeline().replace("exchange", "exchange", new Idle(c));
                    lane.idle.addLast(c);
                    c.idleTimer = c.channel
                            .eventLoop()
                            .schedule(() -> evict(target, c), o.httpKeepalive().toMillis(), TimeUnit.MILLISECONDS);
                    return;
                }
            }
        }
        if (next != null) {
            reused.incrementAndGet();
            next.lease.reuse(c);
        } else {
            // Its close frees its place for a waiting request, which opens a connection of its own.
            c.channel.close();
        }
    }

    private void evict(BackendTarget target, Connection c) {
        synchronized (this) {
            Lane lane = lanes.get(target);
            if (lane == null || !lane.idle.remove(c)) {
                return;
            }
        }
        c.channel.close();
    }

    /** Connections opened, requests sent on a reused connection, and requests that waited, since start. */
    long openedCount() {
        return opened.get();
    }

    long reusedCount() {
        return reused.get();
    }

    long waitedCount() {
        return waited.get();
    }

    /** Requests waiting for a connection now, over all backends. */
    synchronized int waiting() {
        int n = 0;
        for (Lane lane : lanes.values()) {
            n += lane.waiting.size();
        }
        return n;
    }

    /** Closes every idle connection. */
    void close() {
        List<Connection> toClose = new ArrayList<>();
        synchronized (this) {
            for (Lane lane : lanes.values()) {
                toClose.addAll(lane.idle);
                lane.idle.clear();
            }
        }
        toClose.forEach(c -> c.channel.close());
    }

    /** Watches an idle connection: the server sending what nobody asked for ends it (its close is watched anyway). */
    private static final class Idle extends ChannelInboundHandlerAdapter {
        private final Connection connection;

        Idle(Connection connection) {
            this.connection = connection;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
            ctx.close();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }

        @Override
        public String toString() {
            return "idle connection " + connection.channel;
        }
    }
}
