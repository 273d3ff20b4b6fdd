package dev.outpost.proxy.ws;

import dev.outpost.grip.wsovh.WsEvent;
import dev.outpost.grip.wsovh.WsEventCodec;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The requests of a WebSocket-over-HTTP leg, as Pushpin's {@code websocketoverhttp.cpp} makes them: a POST of
 * {@code application/websocket-events} with the client's handshake headers (minus the WebSocket ones and any
 * {@code Meta-*}), {@code Connection-Id}, a fresh {@code Grip-Sig}, and the meta the origin stored
 * ({@code Set-Meta-*} in its answers) echoed as {@code Meta-*}.
 */
final class WohRequests {
    private final String uri;
    /** The client's handshake headers as every request replays them. */
    private final HttpHeaders base;

    private final Supplier<String> gripSig;
    private final boolean grip;
    private final String cid;
    /** Stored {@code Set-Meta-*} values, echoed as {@code Meta-*}. */
    private final Map<String, String> meta = new LinkedHashMap<>();

    WohRequests(LegSetup setup) {
        this.uri = setup.uri();
        this.gripSig = setup.gripSig();
        this.grip = setup.grip();
        this.cid = setup.connectionId();
        this.base = setup.headers().copy();
        for (String n : List.of(
                "Upgrade",
                "Accept",
                "Connection-Id",
                "Content-Length",
                "Content-Type",
                "Sec-WebSocket-Extensions",
                "Connection")) {
            base.remove(n);
        }
        List<String> metaNames = new ArrayList<>();
        for (Map.Entry<String, String> e : base) {
            if (e.getKey().regionMatches(true, 0, "Meta-", 0, 5)) {
                metaNames.add(e.getKey());
            }
        }
        metaNames.forEach(base::remove);
    }

    /** The request carrying {@code batch}. */
    FullHttpRequest request(List<WsEvent> batch) {
        byte[] body = WsEventCodec.encode(batch);
        FullHttpRequest r =
                new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, uri, Unpooled.wrappedBuffer(body));
        r.headers().add(base);
        r.headers().set("Accept", WsEventCodec.CONTENT_TYPE);
        r.headers().set("Connection-Id", cid);
        r.headers().set("Content-Type", WsEventCodec.CONTENT_TYPE);
        HttpUtil.setContentLength(r, body.length);
        if (grip) {
            r.headers().set("Sec-WebSocket-Extensions", "grip");
        }
        String sig = gripSig.get();
        if (sig != null) {
            r.headers().set("Grip-Sig", sig);
        }
        for (Map.Entry<String, String> m : meta.entrySet()) {
            r.headers().add("Meta-" + m.getKey(), m.getValue());
        }
        return r;
    }

    /** Stores the {@code Set-Meta-*} headers of an answer (an empty value removes the name). */
    void storeMeta(HttpHeaders answer) {
        for (Map.Entry<String, String> e : answer) {
            String n = e.getKey();
            if (n.length() > 9 && n.regionMatches(true, 0, "Set-Meta-", 0, 9)) {
                String name = n.substring(9);
                meta.keySet().removeIf(k -> k.equalsIgnoreCase(name));
                if (!e.getValue().isEmpty()) {
                    meta.put(name, e.getValue());
                }
            }
        }
    }

    Map<String, String> meta() {
        return meta;
    }
}
