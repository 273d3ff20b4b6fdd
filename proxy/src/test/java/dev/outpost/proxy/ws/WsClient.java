package dev.outpost.proxy.ws;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A JDK WebSocket client whose events are read one by one, with bounded waits. */
final class WsClient implements AutoCloseable {
    static final HttpClient HTTP = HttpClient.newHttpClient();

    /** One thing the client received: kind is text, binary, ping, pong, close or error. */
    record Event(String kind, String text, byte[] data, int code) {
        @Override
        public String toString() {
            return kind + "(" + (text != null ? text : "") + (code != 0 ? " " + code : "") + ")";
        }
    }

    final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    WebSocket ws;

    static WsClient connect(int port, String path, String... headersAndProtocols) throws Exception {
        WsClient c = new WsClient();
        WebSocket.Builder b = HTTP.newWebSocketBuilder();
        for (int i = 0; i + 1 < headersAndProtocols.length; i += 2) {
            if (headersAndProtocols[i].equals("protocols")) {
                String[] p = headersAndProtocols[i + 1].split(",");
                b.subprotocols(p[0], Arrays.copyOfRange(p, 1, p.length));
            } else {
                b.header(headersAndProtocols[i], headersAndProtocols[i + 1]);
            }
        }
        c.ws = b.buildAsync(URI.create("ws://127.0.0.1:" + port + path), c.listener())
                .get(10, TimeUnit.SECONDS);
        return c;
    }

    /** The handshake's failure, for rejected connections. */
    static Throwable connectFailure(int port, String path) throws Exception {
        try {
            WsClient c = new WsClient();
            HTTP.newWebSocketBuilder()
                    .buildAsync(URI.create("ws://127.0.0.1:" + port + path), c.listener())
                    .get(10, TimeUnit.SECONDS)
                    .abort();
            throw new AssertionError("the handshake succeeded");
        } catch (ExecutionException e) {
            return e.getCause();
        }
    }

    private WebSocket.Listener listener() {
        return new WebSocket.Listener() {
            private final StringBuilder text = new StringBuilder();
            private final ByteArrayOutputStream bin = new ByteArrayOutputStream();

            @Override
            public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                text.append(data);
                if (last) {
                    events.add(new Event("text", text.toString(), null, 0));
                    text.setLength(0);
                }
                w.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onBinary(WebSocket w, ByteBuffer data, boolean last) {
                byte[] b = new byte[data.remaining()];
                data.get(b);
                bin.writeBytes(b);
                if (last) {
                    events.add(new Event("binary", null, bin.toByteArray(), 0));
                    bin.reset();
                }
                w.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onPing(WebSocket w, ByteBuffer message) {
                byte[] b = new byte[message.remaining()];
                message.get(b);
                events.add(new Event("ping", new String(b, StandardCharsets.UTF_8), b, 0));
                w.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onPong(WebSocket w, ByteBuffer message) {
                byte[] b = new byte[message.remaining()];
                message.get(b);
                events.add(new Event("pong", new String(b, StandardCharsets.UTF_8), b, 0));
                w.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onClose(WebSocket w, int statusCode, String reason) {
                events.add(new Event("close", reason, null, statusCode));
                return CompletableFuture.completedFuture(null);
            }

            @Override
            public void onError(WebSocket w, Throwable error) {
                events.add(new Event("error", String.valueOf(error), null, 0));
            }
        };
    }

    Event next() throws InterruptedException {
        Event e = events.poll(10, TimeUnit.SECONDS);
        if (e == null) {
            throw new AssertionError("the client received nothing");
        }
        return e;
    }

    String nextText() throws InterruptedException {
        Event e = next();
        if (!e.kind().equals("text")) {
            throw new AssertionError("expected a text message, got " + e);
        }
        return e.text();
    }

    Event nextClose() throws InterruptedException {
        while (true) {
            Event e = next();
            if (e.kind().equals("close") || e.kind().equals("error")) {
                return e;
            }
        }
    }

    void send(String text) throws Exception {
        ws.sendText(text, true).get(10, TimeUnit.SECONDS);
    }

    List<Event> drain() {
        List<Event> l = new ArrayList<>();
        events.drainTo(l);
        return l;
    }

    @Override
    public void close() {
        if (ws != null) {
            ws.abort();
        }
    }
}
