package example;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.outpost.grip.client.GripPublisher;
import dev.outpost.grip.origin.GripInstruction;
import dev.outpost.grip.origin.GripSigVerifier;
import dev.outpost.grip.origin.WebSocketContext;
import dev.outpost.grip.publish.PublishItem;
import dev.outpost.grip.wsovh.WsEventException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A chat backend behind a GRIP proxy (Pushpin, Fastly Fanout or Outpost), on the JDK's HTTP server:
 *
 * <ul>
 *   <li>{@code GET /rooms/ROOM/events}: a Server-Sent Events stream the proxy holds on channel ROOM;
 *   <li>{@code GET /rooms/ROOM/next}: a long-poll for the next message;
 *   <li>{@code /rooms/ROOM/ws}: a WebSocket (over HTTP, route it with {@code over_http}) that joins the room and
 *       posts what it receives;
 *   <li>{@code POST /rooms/ROOM/messages}: posts the body to the room.
 * </ul>
 *
 * Requests without a valid {@code Grip-Sig} did not come through the proxy and are refused with 403.
 */
public final class ChatBackend implements AutoCloseable {
    private final HttpServer server;
    private final GripSigVerifier sig;
    private final AtomicLong ids = new AtomicLong();
    private volatile GripPublisher publisher;

    private ChatBackend(HttpServer server, String sigKey) {
        this.server = server;
        this.sig = GripSigVerifier.of(sigKey);
    }

    /** Listens on 127.0.0.1:{@code port} (0: a free port); the proxy signs with {@code sigKey}. */
    public static ChatBackend start(int port, String sigKey) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        ChatBackend backend = new ChatBackend(server, sigKey);
        server.createContext("/rooms/", backend::handle);
        server.start();
        return backend;
    }

    /** Where messages are published: the proxy's GRIP URL (as {@code GRIP_URL} gives it). */
    public void publishTo(String gripUrl) {
        GripPublisher old = publisher;
        publisher = GripPublisher.fromGripUrl(gripUrl);
        if (old != null) {
            old.close();
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** Posts a message: an SSE event to streams, the text to long-polls and WebSockets, one ID per message. */
    public void post(String room, String text) {
        String id = Long.toString(ids.incrementAndGet());
        publisher.publish(PublishItem.builder(room)
                .id(id)
                .httpStream("id: " + id + "\ndata: " + text + "\n\n")
                .httpResponse(text + "\n")
                .wsMessage(text)
                .build());
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            if (!sig.isValid(ex.getRequestHeaders().getFirst("Grip-Sig"))) {
                send(ex, 403, List.of(), "requests come through the GRIP proxy\n");
                return;
            }
            String[] parts = ex.getRequestURI().getPath().split("/"); // "", "rooms", ROOM, ACTION
            if (parts.length != 4 || parts[2].isEmpty()) {
                send(ex, 404, List.of(), "not found\n");
                return;
            }
            String room = parts[2];
            byte[] body = ex.getRequestBody().readAllBytes();
            switch (parts[3]) {
                case "events" -> {
                    GripInstruction grip = GripInstruction.holdStream(room).keepAlive(":\n\n", 20);
                    List<Map.Entry<String, String>> headers = new ArrayList<>(grip.headers());
                    headers.add(Map.entry("Content-Type", "text/event-stream"));
                    send(ex, 200, headers, ": joined " + room + "\n\n");
                }
                case "next" -> {
                    GripInstruction grip = GripInstruction.holdResponse(room).timeout(30);
                    send(ex, 200, grip.headers(), "(no message)\n");
                }
                case "ws" -> webSocket(ex, room, body);
                case "messages" -> {
                    post(room, new String(body, StandardCharsets.UTF_8).strip());
                    send(ex, 202, List.of(), "");
                }
                default -> send(ex, 404, List.of(), "not found\n");
            }
        }
    }

    private void webSocket(HttpExchange ex, String room, byte[] body) throws IOException {
        String type = ex.getRequestHeaders().getFirst("Content-Type");
        if (!WebSocketContext.isWebSocketOverHttp(ex.getRequestMethod(), type)) {
            send(ex, 400, List.of(), "WebSocket only\n");
            return;
        }
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        ex.getRequestHeaders().forEach((k, vs) -> vs.forEach(v -> headers.add(Map.entry(k, v))));
        WebSocketContext ws;
        try {
            ws = WebSocketContext.fromRequest(headers, body);
        } catch (WsEventException e) {
            send(ex, 400, List.of(), e.getMessage() + "\n");
            return;
        }
        if (ws.isOpening()) {
            ws.accept();
            ws.subscribe(room);
        }
        while (ws.canReceive()) {
            String message = ws.receive();
            if (message == null) {
                ws.close(1000, "bye");
                break;
            }
            post(room, message);
        }
        send(ex, 200, ws.responseHeaders(), ws.responseBody());
    }

    private static void send(HttpExchange ex, int status, List<Map.Entry<String, String>> headers, String body)
            throws IOException {
        send(ex, status, headers, body.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange ex, int status, List<Map.Entry<String, String>> headers, byte[] body)
            throws IOException {
        headers.forEach(h -> ex.getResponseHeaders().add(h.getKey(), h.getValue()));
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        if (publisher != null) {
            publisher.close();
        }
    }

    /** Runs the backend: {@code GRIP_URL} names the proxy's publish API, {@code GRIP_SIG_KEY} its signing key. */
    public static void main(String[] args) throws IOException {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8080;
        String gripUrl = System.getenv().getOrDefault("GRIP_URL", "http://127.0.0.1:5561");
        ChatBackend backend = start(port, System.getenv().getOrDefault("GRIP_SIG_KEY", "changeme"));
        backend.publishTo(gripUrl);
        System.out.println("chat backend on http://127.0.0.1:" + backend.port() + "/, publishing to " + gripUrl);
    }
}
