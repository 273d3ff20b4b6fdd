package dev.outpost.proxy.observe;

import dev.outpost.grip.instruct.GripChannel;
import dev.outpost.grip.instruct.GripInstruct;
import dev.outpost.grip.instruct.HoldMode;
import dev.outpost.grip.publish.HttpResponseFormat;
import dev.outpost.grip.publish.HttpStreamFormat;
import dev.outpost.grip.publish.PublishItem;
import dev.outpost.grip.publish.WsMessageFormat;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Publish items and GRIP instructions as the inspector shows them: JSON-ready maps with each format's action, size
 * and a preview of its content (the first {@value Model#PREVIEW} characters). Pure functions.
 */
final class Summaries {

    private Summaries() {}

    static Map<String, Object> item(PublishItem item) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("channel", item.channel());
        m.put("id", item.id());
        m.put("prevId", item.prevId());
        if (!item.meta().isEmpty()) {
            m.put("meta", item.meta());
        }
        HttpResponseFormat r = item.httpResponse();
        if (r != null) {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("action", lower(r.action()));
            f.put("code", r.code());
            f.put("bytes", r.body() == null ? 0 : r.body().length);
            f.put("preview", preview(r.body()));
            m.put("http-response", f);
        }
        HttpStreamFormat s = item.httpStream();
        if (s != null) {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("action", lower(s.action()));
            f.put("bytes", s.content() == null ? 0 : s.content().length);
            f.put("preview", preview(s.content()));
            m.put("http-stream", f);
        }
        WsMessageFormat w = item.wsMessage();
        if (w != null) {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("action", lower(w.action()));
            f.put("type", lower(w.type()));
            f.put("bytes", w.content() == null ? 0 : w.content().length);
            f.put("preview", preview(w.content()));
            m.put("ws-message", f);
        }
        m.put("action", action(item));
        return m;
    }

    /** {@code send} when any format carries content, else the one action its formats carry (hint, close, ...). */
    static String action(PublishItem item) {
        Set<String> actions = new LinkedHashSet<>();
        if (item.httpResponse() != null) {
            actions.add(lower(item.httpResponse().action()));
        }
        if (item.httpStream() != null) {
            actions.add(lower(item.httpStream().action()));
        }
        if (item.wsMessage() != null) {
            actions.add(lower(item.wsMessage().action()));
        }
        return actions.contains("send") || actions.isEmpty() ? "send" : String.join("+", actions);
    }

    static Map<String, Object> instruct(GripInstruct ins) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("hold", lower(ins.hold()));
        List<Map<String, Object>> chs = new ArrayList<>();
        for (GripChannel c : ins.channels()) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("name", c.name());
            if (c.prevId() != null) {
                x.put("prevId", c.prevId());
            }
            if (c.filters() != null && !c.filters().isEmpty()) {
                x.put("filters", c.filters());
            }
            chs.add(x);
        }
        m.put("channels", chs);
        if (ins.hold() == HoldMode.RESPONSE) {
            // a stream hold has no timeout: Grip-Timeout applies to long-polls only
            m.put("timeout", ins.timeoutSeconds());
        }
        if (ins.keepAlive() != null) {
            m.put(
                    "keepAlive",
                    Map.of(
                            "content",
                            preview(ins.keepAlive().content()),
                            "timeout",
                            ins.keepAlive().timeoutSeconds(),
                            "mode",
                            lower(ins.keepAlive().mode())));
        }
        if (ins.status() != null) {
            m.put("status", ins.status().code() + " " + ins.status().reason());
        }
        if (ins.nextLink() != null) {
            m.put("next", ins.nextLink().uri());
        }
        if (ins.goneLink() != null) {
            m.put("gone", ins.goneLink());
        }
        if (!ins.meta().isEmpty()) {
            m.put("meta", ins.meta());
        }
        if (ins.exposeHeaders() != null) {
            m.put("exposeHeaders", ins.exposeHeaders());
        }
        return m;
    }

    private static String lower(Object e) {
        return e == null ? null : e.toString().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    static String preview(byte[] b) {
        if (b == null) {
            return "";
        }
        String s = new String(b, 0, Math.min(b.length, Model.PREVIEW * 4), StandardCharsets.UTF_8);
        return s.length() > Model.PREVIEW ? s.substring(0, Model.PREVIEW) + "…" : s;
    }

    static String formatNames(PublishItem item) {
        List<String> f = new ArrayList<>();
        if (item.httpResponse() != null) {
            f.add("http-response");
        }
        if (item.httpStream() != null) {
            f.add("http-stream");
        }
        if (item.wsMessage() != null) {
            f.add("ws-message");
        }
        return String.join("+", f);
    }
}
