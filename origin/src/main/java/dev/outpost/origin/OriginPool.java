package dev.outpost.origin;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.Future;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Keep-alive HTTP/1.1 connections, per event loop and per {@link Endpoint}: a user only ever takes a connection
 * living on its own loop, so the pool of one loop is touched by that loop's thread alone. Every connection's last
 * handler is an {@link OriginHandler}; connections are opened with auto-read off (the user asks for each read).
 */
public final class OriginPool implements AutoCloseable {
    /** Idle connections kept per endpoint and loop. */
    public static final int MAX_IDLE = 64;
    /** An idle pooled connection is closed after this long. */
    public static final int IDLE_SECONDS = 60;
    /** Largest response head accepted. */
    public static final int MAX_RESPONSE_HEADER_SIZE = 64 * 1024;

    private final OriginConnector connector;
    private final Map<EventLoop, Map<Endpoint, ArrayDeque<Channel>>> idle = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /** Connections are opened through {@code connector} (which the caller closes). */
    public OriginPool(OriginConnector connector) {
        this.connector = connector;
    }

    /** The idle connections of {@code loop}, by endpoint; only that loop's thread may touch the map. */
    public Map<Endpoint, ArrayDeque<Channel>> idleOn(EventLoop loop) {
        return idle.computeIfAbsent(loop, l -> new HashMap<>());
    }

    /** An idle connection for {@code endpoint} from a loop's map ({@link #idleOn}), or null. Call on that loop. */
    public static Channel pollIdle(Map<Endpoint, ArrayDeque<Channel>> m, Endpoint endpoint) {
        ArrayDeque<Channel> q = m.get(endpoint);
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

    /** Opens a new connection on {@code loop}, TLS done; its last handler is an {@link OriginHandler}. */
    public Future<Channel> connect(EventLoop loop, Endpoint endpoint) {
        return connector.connect(loop, endpoint, ch -> {
            ch.config().setAutoRead(false);
            ch.pipeline().addLast("codec", new HttpClientCodec(4096, MAX_RESPONSE_HEADER_SIZE, 8192));
            ch.pipeline().addLast("idle", new IdleStateHandler(0, 0, IDLE_SECONDS, TimeUnit.SECONDS));
            ch.pipeline().addLast("origin", new OriginHandler());
        });
    }

    /** Takes back a connection whose last response was read completely. Call on the connection's loop. */
    public void release(Channel ch, Endpoint endpoint) {
        release(ch, OriginHandler.of(ch), endpoint);
    }

    /** As {@link #release(Channel, Endpoint)}, with the connection's {@link OriginHandler} at hand. */
    public void release(Channel ch, OriginHandler h, Endpoint endpoint) {
        if (closed || h == null || !ch.isActive()) {
            ch.close();
            return;
        }
        h.listener(null);
        ArrayDeque<Channel> q = idleOn(ch.eventLoop()).computeIfAbsent(endpoint, k -> new ArrayDeque<>());
        if (q.size() >= MAX_IDLE) {
            ch.close();
            return;
        }
        q.addLast(ch);
        if (!h.pooledBefore) {
            h.pooledBefore = true;
            ch.closeFuture().addListener(f -> q.remove(ch));
        }
        // keep a read pending so that a close by the server is noticed while idle
        ch.read();
    }

    /** Closes the idle connections; connections in use close when their users let go of them. */
    @Override
    public void close() {
        closed = true;
        for (Map.Entry<EventLoop, Map<Endpoint, ArrayDeque<Channel>>> e : idle.entrySet()) {
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
