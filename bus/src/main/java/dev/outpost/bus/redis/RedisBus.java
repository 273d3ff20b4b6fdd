package dev.outpost.bus.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import io.lettuce.core.resource.Transports;
import io.netty.channel.EventLoopGroup;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's two connections to Redis through Lettuce: one that publishes (a script that stamps each message with the
 * server's {@code TIME} and {@code PUBLISH}es it, so that all nodes see one order and one clock) and one subscribed to
 * the channels the node holds. Lettuce reconnects both with backoff and resubscribes; this class also subscribes
 * again whatever it was asked for while cut off, and unsubscribes what is no longer wanted.
 *
 * <p>The publishing connection refuses commands while disconnected, so that a publish fails at once instead of
 * waiting in a queue. Thread safety: every method may be called from any thread; {@link Listener} calls come on
 * Lettuce's (the proxy's) event loop, in the order Redis sent them.
 */
final class RedisBus implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RedisBus.class);
    static final RedisCodec<String, byte[]> CODEC = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);

    /** Publishes ARGV pairs (channel, body), each prefixed with the server's time; returns the receivers. */
    static final String SCRIPT = "local t = redis.call('TIME')\n"
            + "local p = t[1] .. ':' .. t[2] .. ':'\n"
            + "local n = 0\n"
            + "for i = 1, #ARGV, 2 do\n"
            + "  n = n + redis.call('PUBLISH', ARGV[i], p .. ARGV[i + 1])\n"
            + "end\n"
            + "return n\n";

    private static final String SCRIPT_SHA = sha1(SCRIPT);
    private static final String[] NO_KEYS = new String[0];

    /** What the bus tells its hub. */
    interface Listener {
        /** A message on {@code channel} (the bus's name, with the prefix). */
        void message(String channel, byte[] message);

        /** Redis confirmed the subscription to {@code channel}. */
        void subscribed(String channel);

        /** The subscribing connection was lost: what it had subscribed to receives nothing until it is back. */
        void cutOff();
    }

    private final BusSettings settings;
    private final Listener listener;
    private final ClientResources resources;
    private final RedisClient pubClient;
    private final RedisClient subClient;
    private final ScheduledExecutorService timers;
    /** Channels the hub wants (bus names). */
    private final Set<String> wanted = ConcurrentHashMap.newKeySet();

    private volatile StatefulRedisConnection<String, byte[]> pub;
    private volatile StatefulRedisPubSubConnection<String, byte[]> sub;
    private volatile boolean pubUp;
    private volatile boolean subUp;
    private volatile String lastError;
    private volatile boolean closed;
    private long retryMillis = 100;

    /**
     * @param loops     the proxy's event loops, shared with Lettuce when its transport matches
     * @param transport their transport's name
     * @param timers    where reconnect attempts are scheduled
     */
    RedisBus(
            BusSettings settings,
            Listener listener,
            EventLoopGroup loops,
            String transport,
            ScheduledExecutorService timers) {
        this.settings = settings;
        this.listener = listener;
        this.timers = timers;
        preferTransport(transport);
        DefaultClientResources.Builder rb = DefaultClientResources.builder()
                .computationThreadPoolSize(1)
                .reconnectDelay(
                        Delay.exponential(Duration.ofMillis(100), Duration.ofSeconds(5), 2, TimeUnit.MILLISECONDS));
        if (loops != null && sameTransport(transport)) {
            rb.eventLoopGroupProvider(new SharedLoops(loops));
        } else {
            log.info("bus: Lettuce runs on its own event loops ({} transport here)", transport);
        }
        this.resources = rb.build();
        this.pubClient = RedisClient.create(resources);
        pubClient.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .pingBeforeActivateConnection(true)
                // the hub answers 503 on its own timer; a command stays until Redis answers or the link drops
                .timeoutOptions(TimeoutOptions.builder()
                        .fixedTimeout(Duration.ofSeconds(60))
                        .build())
                .build());
        this.subClient = RedisClient.create(resources);
        subClient.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .pingBeforeActivateConnection(true)
                .build());
    }

    /**
     * Lettuce picks epoll over io_uring when both are there (and says so at every connection); let it pick the
     * proxy's, once, before its transport classes load.
     */
    private static synchronized void preferTransport(String transport) {
        if (System.getProperty("io.lettuce.core.iouring") == null
                && System.getProperty("io.lettuce.core.epoll") == null) {
            if ("io_uring".equals(transport)) {
                System.setProperty("io.lettuce.core.epoll", "false");
            } else {
                System.setProperty("io.lettuce.core.iouring", "false");
            }
        }
    }

    /** Lettuce picks its socket type by what the platform has; share the loops only when it is the proxy's. */
    private static boolean sameTransport(String transport) {
        String lettuce = Transports.socketChannelClass().getSimpleName().toLowerCase(Locale.ROOT);
        return switch (transport) {
            case "epoll" -> lettuce.startsWith("epoll");
            case "io_uring" -> lettuce.startsWith("iouring");
            case "nio" -> lettuce.startsWith("nio");
            default -> false;
        };
    }

    /** Connects in the background, retrying with backoff until it works or the bus is closed. */
    void start() {
        connectPub();
        connectSub();
    }

    private void connectPub() {
        if (closed) {
            return;
        }
        pubClient
                .connectAsync(CODEC, settings.uri().toLettuce(Duration.ofMillis(settings.timeoutMs())))
                .whenComplete((c, err) -> {
                    if (err != null) {
                        failed("publish connection", err);
                        retry(this::connectPub);
                        return;
                    }
                    if (closed) {
                        c.closeAsync();
                        return;
                    }
                    c.addListener(new RedisConnectionStateListener() {
                        @Override
                        public void onRedisConnected(RedisChannelHandler<?, ?> conn, SocketAddress addr) {
                            pubUp = true;
                            log.info("bus {}: publishing again", settings.uri());
                        }

                        @Override
                        public void onRedisDisconnected(RedisChannelHandler<?, ?> conn) {
                            if (pubUp) {
                                log.warn(
                                        "bus {}: publish connection lost; publishes are answered 503 until it is back",
                                        settings.uri());
                            }
                            pubUp = false;
                            lastError = "connection to " + settings.uri() + " lost";
                        }
                    });
                    pub = c;
                    pubUp = true;
                    retryMillis = 100;
                    log.info("bus {}: connected", settings.uri());
                });
    }

    private void connectSub() {
        if (closed) {
            return;
        }
        subClient
                .connectPubSubAsync(CODEC, settings.uri().toLettuce(Duration.ofMillis(settings.timeoutMs())))
                .whenComplete((c, err) -> {
                    if (err != null) {
                        failed("subscribe connection", err);
                        retry(this::connectSub);
                        return;
                    }
                    if (closed) {
                        c.closeAsync();
                        return;
                    }
                    c.addListener(new RedisPubSubAdapter<>() {
                        @Override
                        public void message(String channel, byte[] message) {
                            listener.message(channel, message);
                        }

                        @Override
                        public void subscribed(String channel, long count) {
                            if (!wanted.contains(channel)) {
                                // unsubscribed while cut off, resubscribed by the reconnect
                                sub.async().unsubscribe(channel);
                                return;
                            }
                            listener.subscribed(channel);
                        }
                    });
                    c.addListener(new RedisConnectionStateListener() {
                        @Override
                        public void onRedisConnected(RedisChannelHandler<?, ?> conn, SocketAddress addr) {
                            if (!subUp) {
                                subUp = true;
                                // Lettuce resubscribes what Redis had confirmed; add what was asked for meanwhile
                                resubscribe();
                            }
                        }

                        @Override
                        public void onRedisDisconnected(RedisChannelHandler<?, ?> conn) {
                            if (subUp) {
                                log.warn("bus {}: subscribe connection lost; reconnecting", settings.uri());
                                subUp = false;
                                lastError = "connection to " + settings.uri() + " lost";
                                listener.cutOff();
                            }
                        }
                    });
                    sub = c;
                    subUp = true;
                    resubscribe();
                });
    }

    private synchronized void resubscribe() {
        StatefulRedisPubSubConnection<String, byte[]> s = sub;
        if (s != null && !wanted.isEmpty()) {
            s.async().subscribe(wanted.toArray(String[]::new));
        }
    }

    private void failed(String what, Throwable err) {
        Throwable c = err.getCause() != null ? err.getCause() : err;
        lastError = "cannot connect to " + settings.uri() + ": " + c.getMessage();
        log.warn("bus {}: {} failed ({}); retrying in {} ms", settings.uri(), what, c.getMessage(), retryMillis);
    }

    private synchronized void retry(Runnable connect) {
        if (closed) {
            return;
        }
        long wait = retryMillis;
        retryMillis = Math.min(5000, retryMillis * 2);
        timers.schedule(connect, wait, TimeUnit.MILLISECONDS);
    }

    /** True while a publish can go out now. */
    boolean canPublish() {
        StatefulRedisConnection<String, byte[]> p = pub;
        return pubUp && p != null && p.isOpen();
    }

    /** True while both connections are up. */
    boolean connected() {
        return canPublish() && subUp;
    }

    String lastError() {
        return lastError;
    }

    int subscriptions() {
        return wanted.size();
    }

    /**
     * Publishes {@code pairs} (bus channel, message body, ...) in one script run, so that they stay together and in
     * order. Completes when Redis answered; fails when it refused or the connection is gone.
     */
    CompletionStage<Long> publish(List<byte[]> pairs) {
        StatefulRedisConnection<String, byte[]> p = pub;
        if (p == null) {
            return CompletableFuture.failedStage(new IllegalStateException("not connected"));
        }
        byte[][] args = pairs.toArray(byte[][]::new);
        CompletableFuture<Long> out = new CompletableFuture<>();
        p.async()
                .<Long>evalsha(SCRIPT_SHA, ScriptOutputType.INTEGER, NO_KEYS, args)
                .whenComplete((n, err) -> {
                    if (err == null) {
                        out.complete(n);
                    } else if (String.valueOf(err.getMessage()).startsWith("NOSCRIPT")) {
                        // a restarted Redis has no scripts cached: send it whole once
                        p.async()
                                .<Long>eval(
                                        SCRIPT.getBytes(StandardCharsets.UTF_8),
                                        ScriptOutputType.INTEGER,
                                        NO_KEYS,
                                        args)
                                .whenComplete((n2, err2) -> {
                                    if (err2 == null) {
                                        out.complete(n2);
                                    } else {
                                        out.completeExceptionally(err2);
                                    }
                                });
                    } else {
                        out.completeExceptionally(err);
                    }
                });
        return out;
    }

    /** Subscribes to {@code channel} (a bus name) now or as soon as connected. */
    synchronized void subscribe(String channel) {
        if (wanted.add(channel)) {
            StatefulRedisPubSubConnection<String, byte[]> s = sub;
            if (s != null && subUp) {
                s.async().subscribe(channel);
            }
        }
    }

    /** Unsubscribes from {@code channel}. Synchronized with {@link #subscribe}: the commands go out in call order. */
    synchronized void unsubscribe(String channel) {
        if (wanted.remove(channel)) {
            StatefulRedisPubSubConnection<String, byte[]> s = sub;
            if (s != null && subUp) {
                s.async().unsubscribe(channel);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        StatefulRedisConnection<String, byte[]> p = pub;
        StatefulRedisPubSubConnection<String, byte[]> s = sub;
        if (p != null) {
            p.close();
        }
        if (s != null) {
            s.close();
        }
        pubClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        subClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }

    private static String sha1(String s) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-1").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
