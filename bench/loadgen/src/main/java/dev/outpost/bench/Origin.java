package dev.outpost.bench;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The origin behind the proxy under test. Routes:
 * {@code GET /stream/<channel>} holds a GRIP stream on that channel;
 * {@code POST /ws/<channel>} answers WebSocket-over-HTTP, subscribing the connection on OPEN;
 * anything else is a tiny plain response (the non-GRIP proxying case).
 */
final class Origin implements AutoCloseable {
    private static final byte[] HELLO = "hello world\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] READY = "ready\n".getBytes(StandardCharsets.US_ASCII);
    private static final String WS_EVENTS = "application/websocket-events";

    private final EventLoopGroup group;
    private final Channel server;

    Origin(String host, int port, int threads) throws InterruptedException {
        group = Net.group(threads);
        server = new ServerBootstrap()
                .group(group)
                .channel(Net.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 4096)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 20), new Handler());
                    }
                })
                .bind(host, port)
                .sync()
                .channel();
    }

    int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            String path = req.uri();
            int q = path.indexOf('?');
            if (q >= 0) {
                path = path.substring(0, q);
            }
            FullHttpResponse res;
            if (req.method().equals(HttpMethod.GET) && path.startsWith("/stream/")) {
                res = response(READY, "text/plain");
                res.headers().set("Grip-Hold", "stream");
                res.headers().set("Grip-Channel", path.substring("/stream/".length()));
            } else if (req.method().equals(HttpMethod.POST) && path.startsWith("/ws/")) {
                res = webSocketOverHttp(req, path.substring("/ws/".length()));
            } else {
                res = response(HELLO, "text/plain");
            }
            boolean keepAlive = HttpUtil.isKeepAlive(req);
            if (keepAlive) {
                res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
                ctx.writeAndFlush(res, ctx.voidPromise());
            } else {
                res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
            }
        }

        private static FullHttpResponse webSocketOverHttp(FullHttpRequest req, String channel) {
            String body = req.content().toString(StandardCharsets.UTF_8);
            StringBuilder out = new StringBuilder();
            if (body.startsWith("OPEN")) {
                String control = "c:{\"type\":\"subscribe\",\"channel\":\"" + channel + "\"}";
                out.append("OPEN\r\n")
                        .append("TEXT ")
                        .append(Integer.toHexString(control.length()))
                        .append("\r\n")
                        .append(control)
                        .append("\r\n");
            } else if (body.contains("CLOSE")) {
                out.append("CLOSE\r\n");
            }
            FullHttpResponse res = response(out.toString().getBytes(StandardCharsets.UTF_8), WS_EVENTS);
            res.headers().set("Sec-WebSocket-Extensions", "grip; message-prefix=\"\"");
            return res;
        }

        private static FullHttpResponse response(byte[] body, String type) {
            ByteBuf content = Unpooled.wrappedBuffer(body);
            FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, content);
            res.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
            res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
            return res;
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
