package dev.outpost.proxy.hold;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

final class HoldSupport {
    /** Pushpin's per-session publish queue limit, the default of {@code stream_queue_max}; items beyond are dropped. */
    static final int QUEUE_MAX = 100;

    private HoldSupport() {}

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

    /** The subscription filters of {@code channel} in a hold's channel map (none when not subscribed). */
    static List<String> filters(Map<String, HoldChannel> chans, String channel) {
        HoldChannel c = chans.get(channel);
        return c == null ? List.of() : c.filters();
    }

    /** The prev-ids a hold knows, by channel, for filters that render them. */
    static Map<String, String> lastIds(Iterable<HoldChannel> chans) {
        Map<String, String> m = new LinkedHashMap<>();
        for (HoldChannel c : chans) {
            if (c.prevId() != null) {
                m.put(c.name(), c.prevId());
            }
        }
        return m;
    }
}
