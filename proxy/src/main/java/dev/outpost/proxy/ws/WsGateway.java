package dev.outpost.proxy.ws;

import dev.outpost.grip.wsovh.WsEventCodec;
import dev.outpost.origin.Endpoint;
import dev.outpost.proxy.observe.ConnectionObserver;
import dev.outpost.proxy.route.Route;
import dev.outpost.proxy.route.RouteTable;
import dev.outpost.proxy.route.Target;
import dev.outpost.proxy.server.ProxyChannelInitializer;
import dev.outpost.proxy.session.ForwardedHeaders;
import dev.outpost.proxy.session.ProxyContext;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslHandler;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * Where the HTTP connection hands over a request that is not plain HTTP for this proxy: a WebSocket upgrade (the
 * connection becomes a {@link WsSession}), or WebSocket-over-HTTP events a client sends itself to an
 * {@code over_http} route (refused with 403, as Pushpin's {@code proxysession.cpp}).
 */
public final class WsGateway {
    private static final Route DEFAULT_ROUTE = new Route(
            null, null, null, null, null, null, null, null, null, false, List.of(), List.of(Target.test()), "default");

    private WsGateway() {}

    /**
     * Takes a WebSocket upgrade request and returns true; the caller then lets go of the connection (its handler
     * {@code ctx} is replaced, or the connection closes after an error answer) and releases what it still holds.
     * Must be called on the connection's event loop, before any other handling of {@code req}.
     */
    public static boolean divert(
            ChannelHandlerContext ctx, ProxyContext px, HttpRequest req, ConnectionObserver observer) {
        if (!WsHeaders.isUpgrade(req.headers())) {
            return false;
        }
        String uri = originForm(req.uri());
        int q = uri.indexOf('?');
        String path = q >= 0 ? uri.substring(0, q) : uri;
        String query = q >= 0 ? uri.substring(q) : "";
        boolean secure = secure(ctx, px, req);
        Route route = resolve(px, req, path, true, secure);
        if (!HttpMethod.GET.equals(req.method())) {
            respond(ctx, 400, "Bad Request", "WebSocket handshake must be a GET request.\n", null);
            return true;
        }
        String key = req.headers().get("Sec-WebSocket-Key");
        if (key == null || key.isBlank()) {
            respond(ctx, 400, "Bad Request", "Sec-WebSocket-Key: missing (expected: base64 of 16 bytes)\n", null);
            return true;
        }
        String version = req.headers().get("Sec-WebSocket-Version");
        if (version == null || !version.trim().equals("13")) {
            respond(ctx, 426, "Upgrade Required", "Sec-WebSocket-Version: " + version + " (expected: 13)\n", "13");
            return true;
        }
        if (route == null) {
            respond(ctx, 502, "Bad Gateway", "Route not found\n", null);
            return true;
        }
        WsSession s = new WsSession(
                px,
                observer,
                route,
                new WsSession.Handshake(
                        req,
                        route.rewritePath(path) + query,
                        secure,
                        ForwardedHeaders.peer(ctx.channel().remoteAddress())));
        ProxyChannelInitializer.handOver(ctx, "ws", s);
        s.start();
        return true;
    }

    /**
     * Answers {@code 403} when a client sends {@code application/websocket-events} itself to a route whose target is
     * {@code over_http}, and returns true; the connection stays open when the request allows it, and the caller
     * drops the request's body. Otherwise returns false and writes nothing.
     */
    public static boolean refuseEvents(ChannelHandlerContext ctx, ProxyContext px, HttpRequest req) {
        if (!WsEventCodec.CONTENT_TYPE.equals(
                WsHeaders.contentTypeBase(req.headers().get("Content-Type")))) {
            return false;
        }
        if (px.trusted(req)) {
            // a GRIP proxy in front of this one (upstream_key) speaks WebSocket-over-HTTP itself
            return false;
        }
        String uri = originForm(req.uri());
        int q = uri.indexOf('?');
        String path = q >= 0 ? uri.substring(0, q) : uri;
        Route route = resolve(px, req, path, false, secure(ctx, px, req));
        if (route == null
                || route.targets().isEmpty()
                || !route.targets().get(0).overHttp()) {
            return false;
        }
        byte[] b = "Client not allowed to send WebSocket events directly.\n".getBytes(StandardCharsets.UTF_8);
        FullHttpResponse r = new DefaultFullHttpResponse(
                req.protocolVersion(), HttpResponseStatus.FORBIDDEN, Unpooled.wrappedBuffer(b));
        r.headers().set("Content-Type", "text/plain");
        HttpUtil.setContentLength(r, b.length);
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        HttpUtil.setKeepAlive(r, keepAlive);
        var f = ctx.writeAndFlush(r);
        if (!keepAlive) {
            f.addListener(ChannelFutureListener.CLOSE);
        }
        return true;
    }

    /** Whether the client counts as a TLS client: on a TLS port, or saying so where that is accepted. */
    private static boolean secure(ChannelHandlerContext ctx, ProxyContext px, HttpRequest req) {
        return ForwardedHeaders.secure(px.forwarding(), ctx.pipeline().get(SslHandler.class) != null, req.headers());
    }

    private static Route resolve(ProxyContext px, HttpRequest req, String path, boolean websocket, boolean tls) {
        RouteTable table = px.routes();
        String id = px.config().acceptPushpinRoute() ? req.headers().get("Pushpin-Route") : null;
        if (id != null) {
            id = id.trim();
        }
        if (table.isEmpty() && (id == null || id.isEmpty())) {
            return DEFAULT_ROUTE;
        }
        Optional<Route> r = table.select(id, Endpoint.hostOnly(req.headers().get("Host", "")), path, websocket, tls);
        return r.filter(x -> x.pathBeg() == null || path.startsWith(x.pathBeg()))
                .orElse(null);
    }

    private static String originForm(String uri) {
        int scheme = uri.indexOf("://");
        if (scheme > 0 && !uri.startsWith("/")) {
            int slash = uri.indexOf('/', scheme + 3);
            return slash < 0 ? "/" : uri.substring(slash);
        }
        return uri.isEmpty() ? "/" : uri;
    }

    private static void respond(ChannelHandlerContext ctx, int code, String reason, String body, String wsVersion) {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        FullHttpResponse r = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, new HttpResponseStatus(code, reason), Unpooled.wrappedBuffer(b));
        r.headers().set("Content-Type", "text/plain");
        if (wsVersion != null) {
            r.headers().set("Sec-WebSocket-Version", wsVersion);
        }
        HttpUtil.setContentLength(r, b.length);
        HttpUtil.setKeepAlive(r, false);
        ctx.channel().writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
    }
}
