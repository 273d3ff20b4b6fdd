package dev.outpost.proxy.hold;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import java.util.List;
import java.util.Map;

final class HoldSupport {
    /** Pushpin's per-session publish queue limit; items beyond are dropped. */
    static final int QUEUE_MAX = 100;

    private HoldSupport() {
    }

    static void copyHeaders(List<Map.Entry<String, String>> from, HttpResponse to) {
        HttpHeaders h = to.headers();
        for (Map.Entry<String, String> e : from) {
            h.add(e.getKey(), e.getValue());
        }
    }
}
