package dev.outpost.proxy.hold;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.List;
import java.util.Map;

final class HoldSupport {
    /** Pushpin's per-session publish queue limit; items beyond are dropped. */
    static final int QUEUE_MAX = 100;

    private HoldSupport() {
    }

    /** A status line from published or origin values; a reason that can't go on the wire falls back to the standard one. */
    static HttpResponseStatus status(int code, String reason) {
        try {
            return new HttpResponseStatus(code, reason == null ? "" : reason);
        } catch (IllegalArgumentException e) {
            return HttpResponseStatus.valueOf(Math.max(0, code));
        }
    }

    static void copyHeaders(List<Map.Entry<String, String>> from, HttpResponse to) {
        HttpHeaders h = to.headers();
        for (Map.Entry<String, String> e : from) {
            h.add(e.getKey(), e.getValue());
        }
    }
}
