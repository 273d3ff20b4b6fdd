package dev.outpost.proxy.session;

import dev.outpost.proxy.route.Route;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One line per request, as Pushpin's proxy logs them at info level: method, host and path, target, route, outcome. */
final class AccessLog {
    private static final Logger access = LoggerFactory.getLogger("dev.outpost.proxy.access");

    private AccessLog() {}

    /** Logs {@code req}'s {@code outcome}; {@code call} (the targets tried) and {@code route} may be null. */
    static void log(HttpRequest req, OriginCall call, Route route, String outcome) {
        if (!access.isInfoEnabled()) {
            return;
        }
        StringBuilder sb = new StringBuilder(req.method().name())
                .append(' ')
                .append(req.headers().get(HttpHeaderNames.HOST, ""))
                .append(req.uri());
        if (call != null && call.started()) {
            sb.append(" -> ").append(call.lastTried());
        }
        if (route != null && route.id() != null) {
            sb.append(" route=").append(route.id());
        }
        access.info(sb.append(' ').append(outcome).toString());
    }
}
