package dev.outpost.edge.backend;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A keep-alive origin that holds every request unanswered until told to answer, counting the connections open to it
 * (and the most at once) and the requests it holds. Answers {@code conn=<n>}.
 */
final class HoldingOrigin implements AutoCloseable {
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel server;
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger mostOpen = new AtomicInteger();
    /** Held requests (guarded by this); null once the origin answers at once. */
    private List<Runnable> held = new ArrayList<>();

    HoldingOrigin() {
        server = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        int n = accepted.incrementAndGet();
                        mostOpen.accumulateAndGet(open.incrementAndGet(), Math::max);
                        ch.closeFuture().addListener(f -> open.decrementAndGet());
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 16));
                        ch.pipeline().addLast(new SimpleChannelInboundHandler<FullHttpRequest>() {
                            @Override
                            protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
                                Runnable answer = () -> answer(ctx, n);
                                synchronized (HoldingOrigin.this) {
                                    if (held != null) {
                                        held.add(answer);
                                        return;
                                    }
                                }
                                answer.run();
                            }
                        });
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0))
                .syncUninterruptibly()
                .channel();
    }

    private static void answer(ChannelHandlerContext ctx, int connection) {
        byte[] body = ("conn=" + connection).getBytes(StandardCharsets.US_ASCII);
        var response =
                new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(body));
        HttpUtil.setContentLength(response, body.length);
        ctx.writeAndFlush(response);
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + ((InetSocketAddress) server.localAddress()).getPort() + "/");
    }

    synchronized int held() {
        return held == null ? 0 : held.size();
    }

    /** Answers the held requests and, from now on, every request at once. */
    void answerAll() {
        List<Runnable> now;
        synchronized (this) {
            now = held;
            held = null;
        }
        now.forEach(Runnable::run);
    }

    int accepted() {
        return accepted.get();
    }

    int mostOpen() {
        return mostOpen.get();
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
