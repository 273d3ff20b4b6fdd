package dev.outpost.edge.server;

import dev.outpost.edge.backend.BackendClient;
import dev.outpost.edge.config.BackendConfig;
import dev.outpost.edge.sandbox.EdgeServices;
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
 * Decides what becomes of a handoff ({@link #decide}, an immutable {@link Decision} the exchange acts on) and builds
 * the request it forwards, as Viceroy does: method and path from the guest's request handle (or the
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

    /** The client's request as it arrived (its headers a copy): what a handoff forwards. */
    record Original(String method, String uri, HttpHeaders headers) {}

    /**
     * The server's handoff settings: the GRIP proxy's client port on loopback (0: no proxy), whether WebSocket
     * passthrough is on, and how much of a request body is kept for a handoff ({@code --handoff-body-limit}).
     */
    record Settings(int proxyPort, boolean websocketPassthrough, long bodyLimit) {}

    /** What becomes of a handoff, decided once: {@code fanout} or {@code websocket}, and the backend it named. */
    sealed interface Decision permits Refused, Forward {
        String kind();

        String backend();
    }

    /** The handoff cannot happen: the client gets {@code status} with {@code message}. */
    record Refused(String kind, String backend, int status, String message) implements Decision {}

    /** The request goes to {@code target} as {@code request}, followed by the client's body; {@code label} names it. */
    record Forward(String kind, String backend, HttpRequest request, HandoffRelay.Target target, String label)
            implements Decision {}

    /**
     * Where {@code handoff} goes, or why it cannot: the body outgrew the limit ({@code bodyTooLong}), no proxy to hand
     * to, passthrough off, or an unknown backend.
     */
    static Decision decide(
            GripHandoff handoff, Original original, boolean bodyTooLong, Settings settings, EdgeServices services) {
        String kind = handoff.kind() == GripHandoff.Kind.GRIP ? "fanout" : "websocket";
        String name = handoff.backend();
        if (bodyTooLong) {
            return new Refused(
                    kind,
                    name,
                    413,
                    "Outpost: this request's body is longer than --handoff-body-limit (" + settings.bodyLimit()
                            + " bytes), so it was not kept for the handoff to backend '" + name
                            + "'. Raise --handoff-body-limit to hand off longer bodies.\n");
        }
        if (handoff.kind() == GripHandoff.Kind.GRIP) {
            log.info("Pushpin handoff signaled to backend '{}'", name);
            if (settings.proxyPort() == 0) {
                return new Refused(kind, name, 500, "Pushpin handoff signaled, but Pushpin mode not enabled.");
            }
            HttpRequest request = request(original, handoff, "");
            request.headers().set("host", "127.0.0.1:" + settings.proxyPort());
            request.headers().set("pushpin-route", name);
            return new Forward(
                    kind,
                    name,
                    request,
                    HandoffRelay.proxy(services.backendClient().connector(), settings.proxyPort()),
                    "Pushpin [" + name + "]");
        }
        log.info("WebSocket handoff signaled to backend '{}'", name);
        if (!settings.websocketPassthrough()) {
            return new Refused(kind, name, 500, "WebSocket handoff signaled, but WebSocket passthrough is disabled.");
        }
        BackendConfig backend = services.backend(name);
        if (backend == null) {
            return new Refused(kind, name, 500, "Backend handoff signaled to unknown backend '" + name + "'.");
        }
        HttpRequest request = request(original, handoff, backend.pathPrefix());
        String override = backend.overrideHost();
        String authority = backend.url().getRawAuthority();
        request.headers().set("host", override != null && !override.isEmpty() ? override : authority);
        // The backend's own TLS settings (CA, client certificate, SNI, certificate host), timeouts and addresses.
        BackendClient backends = services.backendClient();
        return new Forward(
                kind,
                name,
                request,
                (loop, handlers) -> backends.open(backend, loop, handlers),
                "Backend [" + name + "]");
    }

    /** Method, origin-form path and headers of the forwarded request ({@code prefix} goes before the path). */
    static HttpRequest request(Original client, GripHandoff handoff, String prefix) {
        HttpHeaders original = client.headers();
        String method = handoff.fromHandle() ? handoff.request().method : client.method();
        String uri = handoff.fromHandle() ? handoff.request().uri : client.uri();
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
