package dev.outpost.proxy.ws;

import dev.outpost.grip.publish.WsMessageType;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The built-in {@code test} target's {@code /ws}, as Pushpin's ({@code proxy/testwebsocket.cpp}): a GRIP WebSocket
 * that subscribes to channel {@code test} (or the {@code channel} query parameters) and echoes what the client sends.
 */
final class TestLeg implements OriginLeg {
    private final EventLoop loop;
    private final String uri;
    private final Listener listener;
    private boolean done;

    TestLeg(EventLoop loop, String uri, Listener listener) {
        this.loop = loop;
        this.uri = uri;
        this.listener = listener;
    }

    @Override
    public void start() {
        QueryStringDecoder q = new QueryStringDecoder(uri);
        String path = q.path();
        if (path.length() >= 2 && path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        if (!path.equals("/ws")) {
            HttpHeaders h = new DefaultHttpHeaders().set("Content-Type", "text/plain");
            listener.rejected(404, "Not Found", h, "no such test resource\n".getBytes(StandardCharsets.UTF_8));
            return;
        }
        Set<String> channels = new LinkedHashSet<>(q.parameters().getOrDefault("channel", List.of()));
        if (channels.isEmpty()) {
            channels.add("test");
        }
        listener.opened(new DefaultHttpHeaders().set("Sec-WebSocket-Extensions", "grip"));
        for (String c : channels) {
            String json = "{\"type\":\"subscribe\",\"channel\":\""
                    + c.replace("\\", "\\\\").replace("\"", "\\\"") + "\"}";
            listener.message(Msg.text("c:" + json));
        }
    }

    @Override
    public void send(Msg m) {
        if (done) {
            return;
        }
        if (m.isData()) {
            byte[] b = new byte[m.data().length + 2];
            b[0] = 'm';
            b[1] = ':';
            System.arraycopy(m.data(), 0, b, 2, m.data().length);
            Msg echo = new Msg(m.type(), b);
            loop.execute(() -> {
                if (!done) {
                    listener.message(echo);
                }
            });
        } else if (m.type() == WsMessageType.PING) {
            loop.execute(() -> {
                if (!done) {
                    listener.message(new Msg(WsMessageType.PONG, m.data()));
                }
            });
        }
    }

    @Override
    public void close(int code, String reason) {
        if (!done) {
            done = true;
            loop.execute(() -> listener.closed(code, reason));
        }
    }

    @Override
    public void disconnect() {
        done = true;
    }
}
