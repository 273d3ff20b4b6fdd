package dev.outpost.proxy.ws;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufUtil;
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
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A WebSocket origin on 127.0.0.1 port 0. Each handshake is answered by {@link #answer} (null = accept with no
 * extra headers); accepted connections record what they receive as retained frames' copies and can be written to.
 */
final class WsOrigin implements AutoCloseable {
    /** A frame the origin received: its class simple name, text and close code. */
    record Got(String kind, String text, int code) {}

    /** A handshake answer: status 101 accepts (with headers), anything else rejects with that body. */
    record Answer(int status, HttpHeaders headers, String body) {}

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel server;
    final BlockingQueue<FullHttpRequest> handshakes = new LinkedBlockingQueue<>();
    final BlockingQueue<Got> got = new LinkedBlockingQueue<>();
    final BlockingQueue<Channel> connections = new LinkedBlockingQueue<>();
    volatile Function<FullHttpRequest, Answer> answer = r -> null;
    /** Echo text frames back (with this prefix) when not null. */
    volatile String echoPrefix;
    /** Send a wrong Sec-WebSocket-Accept. */
    volatile boolean badAccept;

    WsOrigin() {
        server = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline()
                                .addLast("http", new HttpServerCodec())
                                .addLast("agg", new HttpObjectAggregator(65536))
                                .addLast("h", new Handler());
                    }
                })
                .bind("127.0.0.1", 0)
                .syncUninterruptibly()
                .channel();
    }

    int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    FullHttpRequest handshake() throws InterruptedException {
        FullHttpRequest r = handshakes.poll(10, TimeUnit.SECONDS);
        if (r == null) {
            throw new AssertionError("origin saw no handshake");
        }
        return r;
    }

    Got next() throws InterruptedException {
        Got g = got.poll(10, TimeUnit.SECONDS);
        if (g == null) {
            throw new AssertionError("origin received nothing");
        }
        return g;
    }

    Channel connection() throws InterruptedException {
        Channel c = connections.poll(10, TimeUnit.SECONDS);
        if (c == null) {
            throw new AssertionError("origin has no connection");
        }
        return c;
    }

    static void sendText(Channel c, String s) {
        c.writeAndFlush(new TextWebSocketFrame(s));
    }

    private final class Handler extends SimpleChannelInboundHandler<Object> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof FullHttpRequest r) {
                handshakes.add(r.replace(Unpooled.EMPTY_BUFFER));
                Answer a = answer.apply(r);
                if (a != null && a.status() != 101) {
                    byte[] b = a.body().getBytes(StandardCharsets.UTF_8);
                    FullHttpResponse res = new DefaultFullHttpResponse(
                            HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(a.status()), Unpooled.wrappedBuffer(b));
                    if (a.headers() != null) {
                        res.headers().add(a.headers());
                    }
                    HttpUtil.setContentLength(res, b.length);
                    ctx.writeAndFlush(res);
                    return;
                }
                FullHttpResponse res =
                        new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SWITCHING_PROTOCOLS);
                if (a != null && a.headers() != null) {
                    res.headers().add(a.headers());
                }
                res.headers()
                        .set("Upgrade", "websocket")
                        .set("Connection", "Upgrade")
                        .set(
                                "Sec-WebSocket-Accept",
                                badAccept
                                        ? "wrong"
                                        : WsHeaders.accept(r.headers().get("Sec-WebSocket-Key")));
                var p = ctx.pipeline();
                p.addBefore("http", "wsenc", new WebSocket13FrameEncoder(false));
                ctx.writeAndFlush(res).addListener(f -> {
                    p.remove("agg");
                    p.replace(
                            "http",
                            "wsdec",
                            new WebSocket13FrameDecoder(WebSocketDecoderConfig.newBuilder()
                                    .maxFramePayloadLength(2_000_000)
                                    .build()));
                    p.addAfter("wsdec", "wsagg", new WebSocketFrameAggregator(2_000_000));
                    connections.add(ctx.channel());
                });
            } else if (msg instanceof WebSocketFrame f) {
                String kind = f.getClass()
                        .getSimpleName()
                        .replace("WebSocketFrame", "")
                        .toLowerCase();
                if (f instanceof CloseWebSocketFrame c) {
                    int code = c.content().readableBytes() >= 2 ? c.statusCode() : -1;
                    got.add(new Got("close", code >= 0 ? c.reasonText() : "", code));
                    ctx.writeAndFlush(c.retainedDuplicate()).addListener(x -> ctx.close());
                    return;
                }
                String text = f.content().toString(StandardCharsets.UTF_8);
                got.add(new Got(kind, text, 0));
                String echo = echoPrefix;
                if (echo != null && f instanceof TextWebSocketFrame) {
                    ctx.writeAndFlush(new TextWebSocketFrame(echo + text));
                }
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            got.add(new Got("gone", "", 0));
        }
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        FullHttpRequest r;
        while ((r = handshakes.poll()) != null) {
            r.release();
        }
    }

    static String bytes(WebSocketFrame f) {
        return ByteBufUtil.hexDump(f.content());
    }
}
