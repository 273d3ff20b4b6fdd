package dev.outpost.junit;

import com.sun.net.httpserver.HttpExchange;
import dev.outpost.grip.origin.GripInstruction;
import dev.outpost.grip.origin.GripSigVerifier;
import dev.outpost.grip.origin.WebSocketContext;
import dev.outpost.grip.wsovh.WsEventException;
import dev.outpost.testkit.TestOrigin;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A GRIP origin for the tests, written with the kit's origin helpers: {@code /stream/CH} holds a stream,
 * {@code /poll/CH} a long-poll, {@code /ws} is a WebSocket-over-HTTP chat on channel {@code room} (echoes what it
 * receives), {@code /sig} says whether the request's {@code Grip-Sig} verifies with key {@code changeme}. The
 * project's {@link TestOrigin} serves it.
 */
final class GripOrigin implements AutoCloseable {
    private final TestOrigin server;
    private final GripSigVerifier verifier = GripSigVerifier.of("changeme");

    GripOrigin() throws IOException {
        server = new TestOrigin().otherwise(this::handle);
    }

    int port() {
        return server.port();
    }

    private void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        ex.getRequestHeaders().forEach((k, vs) -> vs.forEach(v -> headers.add(Map.entry(k, v))));
        byte[] in = TestOrigin.body(ex);
        if (path.startsWith("/stream/")) {
            GripInstruction grip = GripInstruction.holdStream(path.substring("/stream/".length()));
            answer(ex, 200, grip.headers(), "[open]\n".getBytes(StandardCharsets.UTF_8));
        } else if (path.startsWith("/poll/")) {
            GripInstruction grip = GripInstruction.holdResponse(path.substring("/poll/".length()))
                    .timeout(60);
            answer(ex, 200, grip.headers(), "timeout\n".getBytes(StandardCharsets.UTF_8));
        } else if (path.equals("/ws")) {
            WebSocketContext ws;
            try {
                ws = WebSocketContext.fromRequest(headers, in);
            } catch (WsEventException e) {
                answer(ex, 400, List.of(), e.getMessage().getBytes(StandardCharsets.UTF_8));
                return;
            }
            if (ws.isOpening()) {
                ws.accept();
                ws.subscribe("room");
            }
            while (ws.canReceive()) {
                String message = ws.receive();
                if (message == null) {
                    ws.close(1000, "");
                    break;
                }
                ws.send("echo: " + message);
            }
            answer(ex, 200, ws.responseHeaders(), ws.responseBody());
        } else if (path.equals("/sig")) {
            boolean ok = verifier.isValid(ex.getRequestHeaders().getFirst("Grip-Sig"));
            answer(ex, 200, List.of(), (ok ? "signed\n" : "unsigned\n").getBytes(StandardCharsets.UTF_8));
        } else {
            answer(ex, 404, List.of(), "not here\n".getBytes(StandardCharsets.UTF_8));
        }
    }

    private static void answer(HttpExchange ex, int status, List<Map.Entry<String, String>> headers, byte[] body)
            throws IOException {
        headers.forEach(h -> ex.getResponseHeaders().add(h.getKey(), h.getValue()));
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(body);
        }
    }

    @Override
    public void close() {
        server.close();
    }
}
