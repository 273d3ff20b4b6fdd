package dev.outpost.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Publishes through the HTTP publish API on keep-alive connections, one request in flight per lane; a lane
 * reconnects when the server closes its connection (Pushpin closes after every publish).
 */
final class Publisher implements AutoCloseable {
    /** One publish request: its JSON body and a hook run right before it is written. */
    record Job(String body, Runnable onSend) {
        Job(String body) {
            this(body, null);
        }
    }

    record Result(int ok, int failed, long firstSendNanos, long lastResponseNanos, String firstError) {}

    private final EventLoopGroup group;
    private final String host;
    private final int port;
    private final Lane[] lanes;
    private final AtomicLong connectionsOpened = new AtomicLong();

    private final Object jobLock = new Object();
    private volatile Iterator<Job> jobs;
    private volatile CountDownLatch allDone;
    private final AtomicInteger ok = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final AtomicLong firstSend = new AtomicLong();
    private final AtomicLong lastResponse = new AtomicLong();
    private volatile String firstError;

    Publisher(EventLoopGroup group, String host, int port, int lanes) {
        this.group = group;
        this.host = host;
        this.port = port;
        this.lanes = new Lane[lanes];
        for (int i = 0; i < lanes; i++) {
            this.lanes[i] = new Lane();
        }
    }

    long connectionsOpened() {
        return connectionsOpened.get();
    }

    static String streamItem(String channel, long id) {
        return "{\"channel\":\"" + channel + "\",\"formats\":{\"http-stream\":{\"content\":\"m " + id + "\\n\"}}}";
    }

    static String wsItem(String channel, long id) {
        return "{\"channel\":\"" + channel + "\",\"formats\":{\"ws-message\":{\"content\":\"m " + id + "\"}}}";
    }

    static String body(String... items) {
        return "{\"items\":[" + String.join(",", items) + "]}";
    }

    /** Sends every job, each lane pulling the next when its previous response arrived; blocks until done. */
    /** Not thread-safe: one run at a time. */
    Result run(Iterator<Job> source, long timeoutMs) throws InterruptedException {
        jobs = source;
        ok.set(0);
        failed.set(0);
        firstSend.set(0);
        lastResponse.set(0);
        firstError = null;
        allDone = new CountDownLatch(lanes.length);
        for (Lane l : lanes) {
            l.next();
        }
        if (!allDone.await(timeoutMs, TimeUnit.MILLISECONDS)) {
            fail("publish run timed out after " + timeoutMs + " ms");
        }
        return new Result(ok.get(), failed.get(), firstSend.get(), lastResponse.get(), firstError);
    }

    Result send(String body, long timeoutMs) throws InterruptedException {
        return run(List.of(new Job(body)).iterator(), timeoutMs);
    }

    private Job take() {
        synchronized (jobLock) {
            return jobs.hasNext() ? jobs.next() : null;
        }
    }

    private void fail(String why) {
        if (firstError == null) {
            firstError = why;
        }
    }

    private final class Lane extends SimpleChannelInboundHandler<FullHttpResponse> {
        private volatile Channel channel;
        private volatile Job current;

        void next() {
            Job job = take();
            if (job == null) {
                allDone.countDown();
                return;
            }
            current = job;
            if (channel != null && channel.isActive()) {
                channel.eventLoop().execute(this::write);
            } else {
                connect();
            }
        }

        private void connect() {
            new Bootstrap()
                    .group(group)
                    .channel(Net.clientChannel())
                    .option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(1 << 20), Lane.this);
                        }
                    })
                    .connect(host, port)
                    .addListener(f -> {
                        if (f.isSuccess()) {
                            connectionsOpened.incrementAndGet();
                            channel = ((ChannelFuture) f).channel();
                            write();
                        } else {
                            failed.incrementAndGet();
                            fail("publish connect: " + f.cause());
                            // a refused connect fails at once; pause so a dead endpoint is not hammered
                            group.schedule(this::next, 20, TimeUnit.MILLISECONDS);
                        }
                    });
        }

        private void write() {
            Job job = current;
            byte[] bytes = job.body().getBytes(StandardCharsets.UTF_8);
            FullHttpRequest req = new DefaultFullHttpRequest(
                    HttpVersion.HTTP_1_1, HttpMethod.POST, "/publish/", Unpooled.wrappedBuffer(bytes));
            req.headers().set(HttpHeaderNames.HOST, host + ":" + port);
            req.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
            req.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
            req.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            if (job.onSend() != null) {
                job.onSend().run();
            }
            firstSend.compareAndSet(0, System.nanoTime());
            channel.writeAndFlush(req).addListener(f -> {
                if (!f.isSuccess()) {
                    done(false, "publish write: " + f.cause());
                }
            });
        }

        private void done(boolean success, String error) {
            if (current == null) {
                return;
            }
            current = null;
            if (success) {
                ok.incrementAndGet();
            } else {
                failed.incrementAndGet();
                fail(error);
            }
            lastResponse.set(System.nanoTime());
            next();
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse res) {
            boolean keep = HttpUtil.isKeepAlive(res);
            int code = res.status().code();
            if (!keep) {
                channel = null;
                ctx.close();
            }
            done(
                    code == 200,
                    "publish status " + res.status() + ": "
                            + res.content().toString(StandardCharsets.UTF_8).trim());
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            // A close we asked for (after a Connection: close response) has already cleared the lane's channel.
            if (ctx.channel() == channel) {
                channel = null;
                done(false, "publish connection closed before the response");
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }

        @Override
        public boolean isSharable() {
            return true;
        }
    }

    @Override
    public void close() {
        for (Lane l : lanes) {
            if (l.channel != null) {
                l.channel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
            }
        }
    }
}
