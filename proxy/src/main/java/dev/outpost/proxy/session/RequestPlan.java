package dev.outpost.proxy.session;

import dev.outpost.grip.instruct.GripLast;
import dev.outpost.proxy.route.Route;
import dev.outpost.proxy.route.RouteTable;
import dev.outpost.proxy.route.Target;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.ReadOnlyHttpHeaders;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where a client's request goes and what the origin gets: the route it matches and the request target with the
 * route's rewrite applied; the origin request head is made from it (again for each {@code Grip-Last} retry). A value.
 *
 * @param route the route selected
 * @param originUri the request target as the origin gets it
 * @param trusted the request comes from a GRIP proxy in front ({@code upstream_key}): its {@code Grip-*} headers pass
 * @param chunked the client's body is chunked (read from the full head: a compacted one does not split values)
 * @param lengthSet the client's request has a Content-Length
 * @param secure the client counts as a TLS client (it is one, or {@code accept_x_forwarded_protocol} says so)
 * @param peer the client's address for {@code X-Forwarded-For}, or null
 */
record RequestPlan(
        Route route,
        String originUri,
        boolean trusted,
        boolean chunked,
        boolean lengthSet,
        boolean secure,
        String peer) {

    /** With no routes at all, every request goes to the built-in test origin, as with Pushpin. */
    static final Route DEFAULT_ROUTE = new Route(
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            false,
            List.of(),
            List.of(new Target(Target.Kind.TEST, null, 0, false, false, null, false, List.of())),
            "default");

    /** The plan for {@code req} (arrived over TLS or not, from {@code peer}), or null when no route takes it. */
    static RequestPlan of(ProxyContext px, HttpRequest req, boolean tls, String peer) {
        String uri = originForm(req.uri());
        int q = uri.indexOf('?');
        String path = q >= 0 ? uri.substring(0, q) : uri;
        String query = q >= 0 ? uri.substring(q) : "";
        boolean secure = ForwardedHeaders.secure(px.forwarding(), tls, req.headers());
        Route route = resolve(px, req, path, secure);
        if (route == null) {
            return null;
        }
        // upstream_key: a signed upstream proxy's request passes through with its Grip-* headers, and the answer's
        // GRIP instructions go back to it (Pushpin's trusted client)
        return new RequestPlan(
                route,
                route.rewritePath(path) + query,
                px.trusted(req),
                HttpUtil.isTransferEncodingChunked(req),
                HttpUtil.isContentLengthSet(req),
                secure,
                peer);
    }

    private static Route resolve(ProxyContext px, HttpRequest req, String path, boolean tls) {
        RouteTable table = px.routes();
        String id = px.config().acceptPushpinRoute() ? req.headers().get("Pushpin-Route") : null;
        if (id != null) {
            id = id.trim();
        }
        if (table.isEmpty() && (id == null || id.isEmpty())) {
            return DEFAULT_ROUTE;
        }
        // a request that came over TLS (https_ports), or says so when that is accepted, matches ssl=yes routes
        return select(table, id, hostOf(req.headers().get(HttpHeaderNames.HOST)), path, tls)
                .orElse(null);
    }

    /** The route for a request; one picked by id must still match the path, as in Pushpin. */
    static Optional<Route> select(RouteTable table, String id, String host, String path, boolean tls) {
        return table.select(id, host, path, false, tls)
                .filter(x -> x.pathBeg() == null || path.startsWith(x.pathBeg()));
    }

    /**
     * The origin request head for the client's {@code req} (its headers cleaned, the route's Host and headers, the
     * forwarding headers, and unless the route is {@code no_grip} or the client trusted, {@code Grip-Sig} and
     * {@code Grip-Feature}).
     */
    HttpRequest originRequest(ProxyContext px, HttpRequest req) {
        HttpRequest o =
                new DefaultHttpRequest(HttpVersion.HTTP_1_1, req.method(), originUri.isEmpty() ? "/" : originUri);
        Headers.cleanRequest(req.headers(), o.headers(), px.config().acceptPushpinRoute(), trusted);
        if (route.asHost() != null && !route.asHost().isEmpty()) {
            o.headers().set(HttpHeaderNames.HOST, route.asHost());
        }
        for (Map.Entry<String, String> h : route.headers()) {
            o.headers().remove(h.getKey());
            if (h.getValue() != null && !h.getValue().isEmpty()) {
                o.headers().add(h.getKey(), h.getValue());
            }
        }
        ForwardedHeaders.apply(o.headers(), px.forwarding(), trusted, secure ? "https" : null, peer);
        if (!route.noGrip() && !trusted) {
            gripHeaders(px, o.headers(), route);
        }
        if (chunked) {
            HttpUtil.setTransferEncodingChunked(o, true);
        }
        return o;
    }

    /**
     * The origin request head for a {@code Grip-Last} retry: as the first, plus {@code Grip-Last} for each entry of
     * {@code gripLast}, with the body copy of {@code bodyLength} bytes as a fixed-length body.
     */
    HttpRequest retryRequest(ProxyContext px, HttpRequest req, Map<String, String> gripLast, int bodyLength) {
        HttpRequest r = originRequest(px, req);
        for (Map.Entry<String, String> e : gripLast.entrySet()) {
            r.headers().add(GripLast.HEADER, GripLast.format(e.getKey(), e.getValue()));
        }
        r.headers().remove(HttpHeaderNames.TRANSFER_ENCODING);
        if (bodyLength > 0 || lengthSet || chunked) {
            HttpUtil.setContentLength(r, bodyLength);
        }
        return r;
    }

    /** {@code Grip-Sig} (the route's signer; none without issuer and key) and {@code Grip-Feature}. */
    static void gripHeaders(ProxyContext px, HttpHeaders h, Route r) {
        CharSequence sig = px.signer(r).sign();
        if (sig != null) {
            h.set(Headers.GRIP_SIG, sig);
        }
        h.set(Headers.GRIP_FEATURE, Headers.GRIP_FEATURES);
    }

    /** The Host header's name without the port; IPv6 literals keep no brackets; no Host is {@code localhost}. */
    static String hostOf(String hostHeader) {
        if (hostHeader == null || hostHeader.isBlank()) {
            // as Pushpin 1.36, whose front end fills in localhost
            return "localhost";
        }
        String h = hostHeader.trim();
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            return end > 0 ? h.substring(1, end) : h;
        }
        int colon = h.indexOf(':');
        return colon >= 0 ? h.substring(0, colon) : h;
    }

    /** Absolute-form request targets become origin-form. */
    static String originForm(String uri) {
        int scheme = uri.indexOf("://");
        if (scheme > 0 && !uri.startsWith("/")) {
            int slash = uri.indexOf('/', scheme + 3);
            return slash < 0 ? "/" : uri.substring(slash);
        }
        return uri.isEmpty() ? "/" : uri;
    }

    /**
     * What links resolve against: the URL the client asked for ({@code https} for a {@code secure} client, as
     * Pushpin's handler resolves them), or null when it is none.
     */
    static URI linkBase(HttpRequest req, boolean secure) {
        String h = req.headers().get(HttpHeaderNames.HOST);
        try {
            return new URI((secure ? "https://" : "http://")
                    + (h == null || h.isBlank() ? "localhost" : h.trim())
                    + RequestPlan.originForm(req.uri()));
        } catch (URISyntaxException e) {
            return null;
        }
    }

    /**
     * The request head with its headers in one flat read-only array instead of a hash map of entries. Lookups by
     * name and iteration are as before; {@code containsValue} does not split comma-separated values.
     */
    static HttpRequest compact(HttpRequest r) {
        HttpHeaders h = r.headers();
        CharSequence[] kv = new CharSequence[h.size() * 2];
        int i = 0;
        for (Iterator<Map.Entry<CharSequence, CharSequence>> it = h.iteratorCharSequence(); it.hasNext(); ) {
            Map.Entry<CharSequence, CharSequence> e = it.next();
            kv[i++] = e.getKey();
            kv[i++] = e.getValue();
        }
        return new DefaultHttpRequest(
                r.protocolVersion(),
                r.method(),
                r.uri(),
                new ReadOnlyHttpHeaders(false, i == kv.length ? kv : Arrays.copyOf(kv, i)));
    }
}
