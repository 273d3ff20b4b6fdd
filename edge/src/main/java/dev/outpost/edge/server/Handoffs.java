package dev.outpost.edge.server;

import dev.outpost.edge.config.BackendConfig;
import dev.outpost.edge.sandbox.Body;
import dev.outpost.edge.sandbox.GripHandoff;
import dev.outpost.edge.sandbox.HeaderList;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the request a handoff forwards, as Viceroy does: method and path from the guest's request handle (or the
 * original request for the legacy calls), the original client body, and the protected headers taken from the original
 * request rather than from the guest.
 */
final class Handoffs {
    private static final Logger log = LoggerFactory.getLogger(EdgeServer.class);
    /** Headers a guest cannot change for a handoff: they come from the client's request. */
    static final Set<String> PROTECTED = Set.of(
            "host",
            "connection",
            "sec-websocket-version",
            "sec-websocket-key",
            "upgrade",
            "pushpin-route",
            "content-length",
            "content-range",
            "expect",
            "fastly-ff",
            "proxy-authenticate",
            "proxy-authorization",
            "te",
            "trailer",
            "transfer-encoding",
            "cdn-loop");

    private Handoffs() {}

    static void start(EdgeRequestHandler.Exchange exchange, GripHandoff handoff) {
        exchange.handedOff = true;
        exchange.handoffKind = handoff.kind() == GripHandoff.Kind.GRIP ? "fanout" : "websocket";
        exchange.handoffBackend = handoff.backend();
        Body body = exchange.tee;
        if (exchange.handoffBodyTooLong) {
            abandon(body);
            exchange.sendError(
                    413,
                    "Outpost: this request's body is longer than --handoff-body-limit ("
                            + exchange.handler.handoffBodyLimit()
                            + " bytes), so it was not kept for the handoff to backend '" + handoff.backend()
                            + "'. Raise --handoff-body-limit to hand off longer bodies.\n");
            return;
        }
        if (handoff.kind() == GripHandoff.Kind.GRIP) {
            log.info("Pushpin handoff signaled to backend '{}'", handoff.backend());
            if (exchange.handoffPort == 0) {
                abandon(body);
                exchange.sendError(500, "Pushpin handoff signaled, but Pushpin mode not enabled.");
                return;
            }
            HttpRequest request = request(exchange, handoff, "");
            request.headers().set("host", "127.0.0.1:" + exchange.handoffPort);
            request.headers().set("pushpin-route", handoff.backend());
            relay(
                    exchange,
                    HandoffRelay.proxy(exchange.app.services().backendClient().connector(), exchange.handoffPort),
                    request,
                    body,
                    "Pushpin [" + handoff.backend() + "]");
            return;
        }
        log.info("WebSocket handoff signaled to backend '{}'", handoff.backend());
        if (!exchange.websocketPassthrough) {
            abandon(body);
            exchange.sendError(500, "WebSocket handoff signaled, but WebSocket passthrough is disabled.");
            return;
        }
        BackendConfig backend = exchange.app.services().backend(handoff.backend());
        if (backend == null) {
            abandon(body);
            exchange.sendError(500, "Backend handoff signaled to unknown backend '" + handoff.backend() + "'.");
            return;
        }
        HttpRequest request = request(exchange, handoff, backend.pathPrefix());
        String override = backend.overrideHost();
        String authority = backend.url().getRawAuthority();
        request.headers().set("host", override != null && !override.isEmpty() ? override : authority);
        // The backend's own TLS settings (CA, client certificate, SNI, certificate host), timeouts and addresses.
        var backends = exchange.app.services().backendClient();
        relay(
                exchange,
                (loop, handlers) -> backends.open(backend, loop, handlers),
                request,
                body,
                "Backend [" + handoff.backend() + "]");
    }

    private static void abandon(Body body) {
        if (body != null) {
            body.abandon();
        }
    }

    private static void relay(
            EdgeRequestHandler.Exchange exchange,
            HandoffRelay.Target target,
            HttpRequest request,
            Body body,
            String label) {
        HandoffRelay.start(
                exchange.channel(),
                target,
                request,
                body != null ? body : Body.of(new byte[0]),
                label,
                exchange.keepAlive(),
                new HandoffRelay.Listener() {
                    @Override
                    public void failed(int status, String message) {
                        log.warn("{}: {}", label, message);
                        exchange.sendError(status, message);
                    }

                    @Override
                    public void started(int status) {
                        exchange.sent = true;
                    }

                    @Override
                    public void finished(int status, boolean keepAlive, boolean success) {
                        exchange.handoffFinished(status, keepAlive, success);
                    }
                });
    }

    /** Method, origin-form path and headers of the forwarded request ({@code prefix} goes before the path). */
    static HttpRequest request(EdgeRequestHandler.Exchange exchange, GripHandoff handoff, String prefix) {
        HttpHeaders original = exchange.original;
        String method = handoff.fromHandle() ? handoff.request().method : exchange.originalMethod;
        String uri = handoff.fromHandle() ? handoff.request().uri : exchange.originalUri;
        HttpRequest request =
                new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(method), prefix + originForm(uri));
        HttpHeaders headers = request.headers();
        if (handoff.fromHandle()) {
            for (Map.Entry<String, String> e : original) {
                if (PROTECTED.contains(e.getKey().toLowerCase(Locale.ROOT))) {
                    headers.add(e.getKey(), e.getValue());
                }
            }
            for (HeaderList.Field field : handoff.request().headers.fields()) {
                if (!PROTECTED.contains(field.name().toLowerCase(Locale.ROOT))) {
                    headers.add(field.name(), field.valueString());
                }
            }
        } else {
            headers.add(original);
        }
        // The client already had its 100 Continue from this server.
        headers.remove("expect");
        return request;
    }

    static String originForm(String uri) {
        if (uri.startsWith("/")) {
            return uri;
        }
        try {
            URI parsed = new URI(uri);
            String path = parsed.getRawPath() == null || parsed.getRawPath().isEmpty() ? "/" : parsed.getRawPath();
            return parsed.getRawQuery() != null ? path + "?" + parsed.getRawQuery() : path;
        } catch (URISyntaxException e) {
            return "/";
        }
    }
}
