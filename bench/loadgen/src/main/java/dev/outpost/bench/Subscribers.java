package dev.outpost.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.util.ReferenceCountUtil;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * A set of held client connections: HTTP streams (one line per message) or WebSockets (one text frame per
 * message). Messages look like {@code m <id>}; the initial stream body is {@code ready}.
 */
final class Subscribers implements AutoCloseable {
    enum Kind {
        STREAM,
        WEBSOCKET
    }

    private final EventLoopGroup group;
    private final String host;
    private final int port;
    private final Kind kind;
    private Channel[] channels = new Channel[0];
    private final AtomicInteger ready = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final AtomicInteger ended = new AtomicInteger();
    private final AtomicInteger retries = new AtomicInteger();
    private static final int MAX_ATTEMPTS = 4;
    private volatile Tracker tracker = Tracker.NONE;
    private volatile String firstError;

    Subscribers(EventLoopGroup group, String host, int port, Kind kind) {
        this.group = group;
        this.host = host;
        this.port = port;
        this.kind = kind;
    }

    void tracker(Tracker t) {
        tracker = t;
    }

    int ready() {
        return ready.get();
    }

    /** Failed attempts, including those that a retry then turned into a ready connection. */
    int failed() {
        return failed.get();
    }

    int retries() {
        return retries.get();
    }

    /** Connections that were ready and then ended (closed by the proxy). */
    int ended() {
        return ended.get();
    }

    String firstError() {
        return firstError;
    }

    /**
     * Opens n connections with at most maxInFlight handshakes pending at once; returns how many are ready
     * when all have finished or the timeout passes.
     */
    int open(int n, IntFunction<String> path, int maxInFlight, long timeoutMs) throws InterruptedException {
        channels = new Channel[n];
        Semaphore window = new Semaphore(maxInFlight);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        AtomicInteger done = new AtomicInteger();
        for (int i = 0; i < n; i++) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || !window.tryAcquire(left, TimeUnit.NANOSECONDS)) {
                break;
            }
            connect(i, path.apply(i), 1, () -> {
                window.release();
                done.incrementAndGet();
            });
        }
        while (done.get() < n && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        return ready.get();
    }

    /**
     * Proxies may refuse a few connections when many open at once (Pushpin answers 502); each connection is
     * retried a few times so the held count reflects capacity, and the refusals are counted.
     */
    private void connect(int conn, String path, int attempt, Runnable finished) {
        AtomicBoolean settled = new AtomicBoolean();
        Runnable onFailure = () -> {
            if (!settled.compareAndSet(false, true)) {
                return;
            }
            if (attempt < MAX_ATTEMPTS) {
                retries.incrementAndGet();
                group.schedule(() -> connect(conn, path, attempt + 1, finished), 50L * attempt, TimeUnit.MILLISECONDS);
            } else {
                finished.run();
            }
        };
        ChannelFuture f = bootstrap(conn, path, finished, onFailure).connect(host, port);
        channels[conn] = f.channel();
        f.addListener(cf -> {
            if (!cf.isSuccess()) {
                fail(cf.cause() == null ? "connect failed" : cf.cause().toString());
                onFailure.run();
            }
        });
    }

    private void fail(String why) {
        failed.incrementAndGet();
        if (firstError == null) {
            firstError = why;
        }
    }

    private Bootstrap bootstrap(int conn, String path, Runnable finished, Runnable onFailure) {
        return new Bootstrap()
                .group(group)
                .channel(Net.clientChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (kind == Kind.STREAM) {
                            ch.pipeline()
                                    .addLast(new HttpClientCodec(), new StreamHandler(conn, path, finished, onFailure));
                        } else {
                            HttpHeaders h = new DefaultHttpHeaders().set(HttpHeaderNames.HOST, host + ":" + port);
                            URI uri = URI.create("ws://" + host + ":" + port + path);
                            ch.pipeline()
                                    .addLast(
                                            new HttpClientCodec(),
                                            new HttpObjectAggregator(65536),
                                            new WebSocketClientProtocolHandler(
                                                    WebSocketClientHandshakerFactory.newHandshaker(
                                                            uri, WebSocketVersion.V13, null, false, h, 65536)),
                                            new WsHandler(conn, finished, onFailure));
                        }
                    }
                });
    }

    /** Once-only completion of a connection's handshake, success or not. */
    private abstract class ConnHandler extends ChannelInboundHandlerAdapter {
        final int conn;
        private Runnable finished;
        private Runnable onFailure;
        boolean isReady;

        ConnHandler(int conn, Runnable finished, Runnable onFailure) {
            this.conn = conn;
            this.finished = finished;
            this.onFailure = onFailure;
        }

        void markReady() {
            if (!isReady) {
                isReady = true;
                ready.incrementAndGet();
                onFailure = null;
                if (finished != null) {
                    Runnable r = finished;
                    finished = null;
                    r.run();
                }
            }
        }

        /** The attempt failed before the connection was ready: retry or give up, once. */
        void failed(String why, ChannelHandlerContext ctx) {
            if (onFailure != null) {
                Runnable r = onFailure;
                onFailure = null;
                finished = null;
                fail(why);
                r.run();
            }
            ctx.close();
        }

        void message(String text) {
            if (text.startsWith("m ")) {
                long id;
                try {
                    id = Long.parseLong(text.substring(2).trim());
                } catch (NumberFormatException e) {
                    return;
                }
                tracker.received(conn, id, System.nanoTime());
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (isReady) {
                ended.incrementAndGet();
            } else {
                failed("closed before ready", ctx);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (!isReady) {
                failed(cause.toString(), ctx);
            } else {
                ctx.close();
            }
        }
    }

    private final class StreamHandler extends ConnHandler {
        private final String path;
        private final StringBuilder line = new StringBuilder();

        StreamHandler(int conn, String path, Runnable finished, Runnable onFailure) {
            super(conn, finished, onFailure);
            this.path = path;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path);
            req.headers().set(HttpHeaderNames.HOST, host + ":" + port);
            req.headers().set(HttpHeaderNames.ACCEPT, "*/*");
            req.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(req, ctx.voidPromise());
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof HttpResponse res && res.status().code() != 200) {
                    failed("status " + res.status(), ctx);
                    return;
                }
                if (msg instanceof HttpContent c) {
                    ByteBuf b = c.content();
                    for (int i = b.readerIndex(); i < b.writerIndex(); i++) {
                        char ch = (char) (b.getByte(i) & 0xff);
                        if (ch == '\n') {
                            String text = line.toString();
                            line.setLength(0);
                            if (text.equals("ready")) {
                                markReady();
                            } else {
                                message(text);
                            }
                        } else {
                            line.append(ch);
                        }
                    }
                    if (msg instanceof LastHttpContent) {
                        ctx.close();
                    }
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }
    }

    private final class WsHandler extends ConnHandler {
        WsHandler(int conn, Runnable finished, Runnable onFailure) {
            super(conn, finished, onFailure);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
                markReady();
            } else if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT) {
                failed("websocket handshake timeout", ctx);
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof TextWebSocketFrame f) {
                    message(f.content().toString(StandardCharsets.UTF_8));
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }
    }

    @Override
    public void close() {
        for (Channel c : channels) {
            if (c != null) {
                c.close();
            }
        }
        for (Channel c : channels) {
            if (c != null) {
                c.closeFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
            }
        }
        channels = new Channel[0];
    }
}
