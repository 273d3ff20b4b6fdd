package dev.outpost.bench.edge;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/** The benchmark's HTTP/1.1 client on one event loop: keep-alive connections and held streaming responses. */
final class Http implements AutoCloseable {
    private final EventLoopGroup group;

    Http(int threads) {
        this.group = new MultiThreadIoEventLoopGroup(threads, NioIoHandler.newFactory());
    }

    /** One response: status, body, and the time from writing the request to the last byte. */
    record Response(int status, String body, long nanos) {
        double millis() {
            return nanos / 1e6;
        }
    }

    /** A keep-alive connection for one request at a time; reconnects when the server closed it. */
    Conn conn(int port) {
        return new Conn(port);
    }

    final class Conn implements AutoCloseable {
        private final int port;
        private Channel channel;
        private volatile CompletableFuture<Response> pending;
        private volatile long sent;

        Conn(int port) {
            this.port = port;
        }

        Response get(String path, Duration timeout) throws IOException {
            return await(send(HttpMethod.GET, path, null), timeout);
        }

        Response post(String path, String body, Duration timeout) throws IOException {
            return await(send(HttpMethod.POST, path, body), timeout);
        }

        private static Response await(CompletableFuture<Response> f, Duration timeout) throws IOException {
            try {
                return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                throw new IOException(e.getCause().toString(), e.getCause());
            } catch (TimeoutException e) {
                throw new IOException("no response within " + timeout.toMillis() + " ms");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted");
            }
        }

        /** Sends one request; the future completes with the whole response. */
        CompletableFuture<Response> send(HttpMethod method, String path, String body) throws IOException {
            if (channel == null || !channel.isActive()) {
                connect();
            }
            CompletableFuture<Response> f = new CompletableFuture<>();
            pending = f;
            var content = body == null ? Unpooled.EMPTY_BUFFER : Unpooled.copiedBuffer(body, StandardCharsets.UTF_8);
            var request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, path, content);
            request.headers().set(HttpHeaderNames.HOST, "127.0.0.1:" + port);
            if (body != null) {
                HttpUtil.setContentLength(request, content.readableBytes());
            }
            sent = System.nanoTime();
            channel.writeAndFlush(request).addListener(w -> {
                if (!w.isSuccess()) {
                    f.completeExceptionally(w.cause());
                }
            });
            return f;
        }

        private void connect() throws IOException {
            var future = new Bootstrap()
                    .group(group)
                    .channel(NioSocketChannel.class)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5000)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new HttpClientCodec());
                            ch.pipeline().addLast(new HttpObjectAggregator(16 << 20));
                            ch.pipeline().addLast(new SimpleChannelInboundHandler<FullHttpResponse>() {
                                @Override
                                protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse r) {
                                    long took = System.nanoTime() - sent;
                                    var f = pending;
                                    if (f != null) {
                                        f.complete(new Response(
                                                r.status().code(), r.content().toString(StandardCharsets.UTF_8), took));
                                    }
                                    if (!HttpUtil.isKeepAlive(r)) {
                                        ctx.close();
                                    }
                                }

                                @Override
                                public void channelInactive(ChannelHandlerContext ctx) {
                                    var f = pending;
                                    if (f != null) {
                                        f.completeExceptionally(new IOException("connection closed"));
                                    }
                                }

                                @Override
                                public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                    var f = pending;
                                    if (f != null) {
                                        f.completeExceptionally(cause);
                                    }
                                    ctx.close();
                                }
                            });
                        }
                    })
                    .connect("127.0.0.1", port)
                    .awaitUninterruptibly();
            if (!future.isSuccess()) {
                throw new IOException("connect 127.0.0.1:" + port + ": " + future.cause(), future.cause());
            }
            channel = future.channel();
        }

        @Override
        public void close() {
            if (channel != null) {
                channel.close().awaitUninterruptibly();
            }
        }
    }

    /**
     * A held streaming response (SSE through a Fanout handoff): {@code opened} completes with the status when the
     * response head arrives; {@code bytesAfter} counts body bytes that arrive once {@link #mark()} was called.
     */
    final class Stream implements AutoCloseable {
        final CompletableFuture<Integer> opened = new CompletableFuture<>();
        final AtomicLong bytesAfter = new AtomicLong();
        final CompletableFuture<Long> firstAfterMark = new CompletableFuture<>();
        private volatile boolean marked;
        private volatile Channel channel;
        final long started = System.nanoTime();
        volatile long openedAt;

        Stream(int port, String path) {
            new Bootstrap()
                    .group(group)
                    .channel(NioSocketChannel.class)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10000)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new HttpClientCodec());
                            ch.pipeline().addLast(new SimpleChannelInboundHandler<HttpObject>() {
                                @Override
                                public void channelActive(ChannelHandlerContext ctx) {
                                    var request = new DefaultFullHttpRequest(
                                            HttpVersion.HTTP_1_1, HttpMethod.GET, path, Unpooled.EMPTY_BUFFER);
                                    request.headers()
                                            .set(HttpHeaderNames.HOST, "127.0.0.1:" + port)
                                            .set(HttpHeaderNames.ACCEPT, "text/event-stream")
                                            .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
                                    ctx.writeAndFlush(request);
                                }

                                @Override
                                protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
                                    if (msg instanceof HttpResponse r) {
                                        openedAt = System.nanoTime();
                                        opened.complete(r.status().code());
                                    }
                                    if (msg instanceof HttpContent c
                                            && marked
                                            && c.content().isReadable()) {
                                        bytesAfter.addAndGet(c.content().readableBytes());
                                        firstAfterMark.complete(System.nanoTime());
                                    }
                                }

                                @Override
                                public void channelInactive(ChannelHandlerContext ctx) {
                                    opened.completeExceptionally(new IOException("closed before a response"));
                                }

                                @Override
                                public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                    opened.completeExceptionally(cause);
                                    ctx.close();
                                }
                            });
                        }
                    })
                    .connect("127.0.0.1", port)
                    .addListener(f -> {
                        if (!f.isSuccess()) {
                            opened.completeExceptionally(f.cause());
                        }
                    })
                    .addListener(f -> channel = ((ChannelFuture) f).channel());
        }

        void mark() {
            marked = true;
        }

        @Override
        public void close() {
            Channel c = channel;
            if (c != null) {
                c.close();
            }
        }
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
