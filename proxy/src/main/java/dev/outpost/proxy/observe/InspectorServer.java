package dev.outpost.proxy.observe;

import dev.outpost.origin.ClientTimeouts;
import dev.outpost.proxy.config.ProxyLimits;
import dev.outpost.proxy.pubsub.Drops;
import dev.outpost.proxy.server.ListenException;
import dev.outpost.proxy.server.TimeoutReport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The metrics and inspector listener: {@code GET /metrics} (Prometheus text), the inspector page and its assets,
 * a JSON API under {@code /api/} and the live feed {@code /api/feed} (Server-Sent Events).
 */
public final class InspectorServer implements AutoCloseable {
    private static final String ASSETS = "/dev/outpost/proxy/observe/inspector/";
    private static final Map<String, String> TYPES = Map.of(
            "index.html", "text/html; charset=utf-8",
            "app.js", "text/javascript; charset=utf-8",
            "app.css", "text/css; charset=utf-8",
            "favicon.svg", "image/svg+xml");
    private static final Map<String, byte[]> CACHE = new ConcurrentHashMap<>();

    private final Inspector inspector;
    private final Channel channel;

    private InspectorServer(Inspector inspector, Channel channel) {
        this.inspector = inspector;
        this.channel = channel;
    }

    /**
     * Binds {@code host:port} (0 picks a free port) on {@code group}; connections follow {@code limits}' client
     * timeouts.
     */
    public static InspectorServer start(
            Inspector inspector,
            EventLoopGroup group,
            Class<? extends ServerChannel> serverChannel,
            String host,
            int port,
            ProxyLimits limits,
            Drops drops) {
        TimeoutReport report = new TimeoutReport(drops, "inspector");
        try {
            Channel ch = new ServerBootstrap()
                    .group(group)
                    .channel(serverChannel)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel c) {
                            c.pipeline()
                                    .addLast(
                                            new HttpServerCodec(),
                                            new ClientTimeouts(
                                                    limits.clientHeaderTimeout(),
                                                    limits.clientKeepAliveTimeout(),
                                                    limits.clientBodyTimeout(),
                                                    report),
                                            new HttpObjectAggregator(16 * 1024),
                                            new Handler(inspector, host));
                        }
                    })
                    .bind(host, port)
                    .syncUninterruptibly()
                    .channel();
            return new InspectorServer(inspector, ch);
        } catch (Exception e) {
            // syncUninterruptibly() rethrows a BindException as is, though it is checked
            throw new ListenException("inspector", host, port, e);
        }
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    public Inspector inspector() {
        return inspector;
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
    }

    private static final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final Inspector inspector;
        private final String bindHost;

        Handler(Inspector inspector, String bindHost) {
            this.inspector = inspector;
            this.bindHost = bindHost;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            boolean keepAlive = HttpUtil.isKeepAlive(req);
            String host = req.headers().get(HttpHeaderNames.HOST);
            if (req.headers().getAll(HttpHeaderNames.HOST).size() > 1 || !HostGuard.allowed(host, bindHost)) {
                send(
                        ctx,
                        false,
                        HttpResponseStatus.FORBIDDEN,
                        "text/plain; charset=utf-8",
                        ("Host " + host + " is not this inspector's (it answers localhost, loopback addresses and "
                                        + bindHost + ", against DNS rebinding): open "
                                        + HostGuard.url(
                                                bindHost,
                                                ((InetSocketAddress)
                                                                ctx.channel().localAddress())
                                                        .getPort())
                                        + "\n")
                                .getBytes(StandardCharsets.UTF_8));
                return;
            }
            if (!HttpMethod.GET.equals(req.method()) && !HttpMethod.HEAD.equals(req.method())) {
                send(
                        ctx,
                        keepAlive,
                        HttpResponseStatus.METHOD_NOT_ALLOWED,
                        "text/plain; charset=utf-8",
                        ("Method " + req.method() + " not allowed (expected: GET)\n").getBytes(StandardCharsets.UTF_8));
                return;
            }
            QueryStringDecoder q = new QueryStringDecoder(req.uri());
            String path = q.path();
            switch (path) {
                case "/metrics" ->
                    send(
                            ctx,
                            keepAlive,
                            HttpResponseStatus.OK,
                            "text/plain; version=0.0.4; charset=utf-8",
                            inspector.metrics().scrape().getBytes(StandardCharsets.UTF_8));
                case "/", "/index.html" -> asset(ctx, keepAlive, "index.html");
                case "/app.js", "/app.css", "/favicon.svg" -> asset(ctx, keepAlive, path.substring(1));
                // browsers ask for it whatever the page links
                case "/favicon.ico" -> asset(ctx, keepAlive, "favicon.svg");
                case "/api/feed" -> feed(ctx);
                case "/api/summary" -> json(ctx, keepAlive, inspector.query(inspector::summary));
                case "/api/connections" ->
                    json(
                            ctx,
                            keepAlive,
                            inspector.query(() -> inspector.connections(
                                    intParam(q, "offset", 0),
                                    Math.min(500, intParam(q, "limit", 50)),
                                    param(q, "q"),
                                    param(q, "kind"))));
                case "/api/publishes" ->
                    json(
                            ctx,
                            keepAlive,
                            inspector.query(() -> inspector.publishes(Math.min(300, intParam(q, "limit", 50)))));
                case "/api/events" ->
                    json(
                            ctx,
                            keepAlive,
                            inspector.query(() -> inspector.events(Math.min(1000, intParam(q, "limit", 200)))));
                case "/api/explain" ->
                    json(ctx, keepAlive, inspector.query(() -> inspector.explain(param(q, "conn"), param(q, "pub"))));
                default -> {
                    if (path.startsWith("/api/connections/")) {
                        String id = path.substring("/api/connections/".length());
                        json(ctx, keepAlive, inspector.query(() -> inspector.connection(id)));
                    } else if (path.startsWith("/api/publishes/")) {
                        String key = q.rawPath().substring("/api/publishes/".length());
                        String k = QueryStringDecoder.decodeComponent(key);
                        json(ctx, keepAlive, inspector.query(() -> inspector.publish(k)));
                    } else {
                        send(
                                ctx,
                                keepAlive,
                                HttpResponseStatus.NOT_FOUND,
                                "text/plain; charset=utf-8",
                                ("Not found: " + path + "\n").getBytes(StandardCharsets.UTF_8));
                    }
                }
            }
        }

        private static String param(QueryStringDecoder q, String name) {
            List<String> v = q.parameters().get(name);
            return v == null || v.isEmpty() ? null : v.get(0);
        }

        private static int intParam(QueryStringDecoder q, String name, int dflt) {
            String v = param(q, name);
            try {
                return v == null ? dflt : Math.max(0, Integer.parseInt(v));
            } catch (NumberFormatException e) {
                return dflt;
            }
        }

        private void feed(ChannelHandlerContext ctx) {
            HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            r.headers()
                    .set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream")
                    .set(HttpHeaderNames.CACHE_CONTROL, "no-cache")
                    .set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
            ctx.write(r);
            ctx.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer("retry: 1000\n\n", StandardCharsets.UTF_8)));
            inspector.addFeed(ctx.channel());
        }

        private static void json(ChannelHandlerContext ctx, boolean keepAlive, CompletableFuture<?> result) {
            result.whenComplete((v, e) -> ctx.executor().execute(() -> {
                if (e != null) {
                    send(
                            ctx,
                            keepAlive,
                            HttpResponseStatus.INTERNAL_SERVER_ERROR,
                            "text/plain; charset=utf-8",
                            ("Error: " + e + "\n").getBytes(StandardCharsets.UTF_8));
                } else if (v == null) {
                    send(
                            ctx,
                            keepAlive,
                            HttpResponseStatus.NOT_FOUND,
                            "application/json",
                            "{\"error\":\"not found\"}".getBytes(StandardCharsets.UTF_8));
                } else {
                    send(ctx, keepAlive, HttpResponseStatus.OK, "application/json", Inspector.json(v));
                }
            }));
        }

        private static void asset(ChannelHandlerContext ctx, boolean keepAlive, String name) {
            byte[] body = CACHE.computeIfAbsent(name, n -> {
                try (InputStream in = InspectorServer.class.getResourceAsStream(ASSETS + n)) {
                    return in == null ? new byte[0] : in.readAllBytes();
                } catch (IOException e) {
                    return new byte[0];
                }
            });
            send(ctx, keepAlive, HttpResponseStatus.OK, TYPES.get(name), body);
        }

        private static void send(
                ChannelHandlerContext ctx, boolean keepAlive, HttpResponseStatus status, String type, byte[] body) {
            FullHttpResponse r =
                    new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, type).set(HttpHeaderNames.CACHE_CONTROL, "no-store");
            HttpUtil.setContentLength(r, body.length);
            HttpUtil.setKeepAlive(r, keepAlive);
            var f = ctx.writeAndFlush(r);
            if (!keepAlive) {
                f.addListener(ChannelFutureListener.CLOSE);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
