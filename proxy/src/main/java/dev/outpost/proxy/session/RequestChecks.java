package dev.outpost.proxy.session;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.util.List;

/** Requests refused before routing: ones this HTTP/1.1 server can't answer, or can't tell where they go. */
final class RequestChecks {
    private RequestChecks() {}

    /** Why a request is refused: the status and the body's one line. */
    record Refusal(int code, String message) {}

    /** The refusal of {@code req}, or null when it may go on. */
    static Refusal check(HttpRequest req) {
        HttpVersion v = req.protocolVersion();
        if (v.majorVersion() != 1) {
            // RFC 9110 §15.6.6; "PRI * HTTP/2.0" (the HTTP/2 preface, RFC 9113 §3.4) ends up here too
            return new Refusal(
                    505, "HTTP Version Not Supported: " + v.text() + " (this server speaks HTTP/1.0 and HTTP/1.1)");
        }
        if (req.method().name().equals("PRI")) {
            return new Refusal(400, "Bad Request: PRI is the start of HTTP/2 (RFC 9113 §3.4), not an HTTP/1.1 method");
        }
        List<String> hosts = req.headers().getAll(HttpHeaderNames.HOST);
        if (hosts.size() > 1) {
            // RFC 9112 §3.2: which one to route by would be a guess, and the origin might guess otherwise
            return new Refusal(
                    400, "Bad Request: " + hosts.size() + " Host headers (expected: exactly one, RFC 9112 §3.2)");
        }
        return null;
    }

    /** The version a response to {@code v} carries: HTTP/1.0 for 1.0, else 1.1 (RFC 9110 §2.5), never an echo. */
    static HttpVersion responseVersion(HttpVersion v) {
        return v.majorVersion() == 1 && v.minorVersion() == 0 ? HttpVersion.HTTP_1_0 : HttpVersion.HTTP_1_1;
    }
}
