package dev.outpost.grip.origin;

import dev.outpost.grip.control.ControlMessage;
import dev.outpost.grip.control.ControlMessageWriter;
import dev.outpost.grip.instruct.KeepAliveMode;
import dev.outpost.grip.publish.WsMessageType;
import dev.outpost.grip.wsovh.WsEvent;
import dev.outpost.grip.wsovh.WsEventCodec;
import dev.outpost.grip.wsovh.WsEventException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * One WebSocket-over-HTTP request as a GRIP origin sees it: the proxy {@code POST}s the client's events
 * ({@code application/websocket-events}) with a {@code Connection-Id} and the connection's {@code Meta-*} headers;
 * the origin answers with events of its own. This context reads the request and collects the answer.
 *
 * <pre>{@code
 * WebSocketContext ws = WebSocketContext.fromRequest(headers, body);
 * if (ws.isOpening()) {
 *     ws.accept();
 *     ws.subscribe("chat");
 * }
 * while (ws.canReceive()) {
 *     String message = ws.receive();
 *     if (message == null) { ws.close(); break; } // the client closed
 *     publisher.publishWsMessage("chat", message);
 * }
 * // answer 200 with ws.responseHeaders() and ws.responseBody()
 * }</pre>
 *
 * <p>Messages sent through the context carry Pushpin's {@code m:} prefix and control messages {@code c:}, as the
 * {@code grip} WebSocket extension that {@link #accept()} negotiates wants. Not thread-safe: one request, one thread.
 */
public final class WebSocketContext {
    private final String connectionId;
    private final Map<String, String> originalMeta;
    private final Map<String, String> meta;
    private final Deque<WsEvent> in;
    private final boolean opening;
    private final String prefix;
    private final List<WsEvent> out = new ArrayList<>();
    private boolean accepted;
    private boolean closed;
    private int outCloseCode = -1;
    private String outCloseReason = "";
    private int closeCode = -1;
    private Integer keepAliveInterval;

    private WebSocketContext(String connectionId, Map<String, String> meta, List<WsEvent> events, String prefix) {
        this.connectionId = connectionId;
        this.originalMeta = Map.copyOf(meta);
        this.meta = new LinkedHashMap<>(meta);
        this.in = new ArrayDeque<>(events);
        this.opening = !events.isEmpty() && events.get(0) instanceof WsEvent.Open;
        this.prefix = prefix;
    }

    /**
     * True for a WebSocket-over-HTTP request: {@code POST} with {@code Content-Type: application/websocket-events}.
     */
    public static boolean isWebSocketOverHttp(String method, String contentType) {
        if (!"POST".equalsIgnoreCase(method) || contentType == null) {
            return false;
        }
        int semi = contentType.indexOf(';');
        return (semi < 0 ? contentType : contentType.substring(0, semi))
                .trim()
                .equalsIgnoreCase(WsEventCodec.CONTENT_TYPE);
    }

    /**
     * Reads a request: its {@code Connection-Id} and {@code Meta-*} headers (names compared without case, meta names
     * lower-cased) and its body.
     *
     * @throws WsEventException when the body is not a valid event sequence (answer 400)
     */
    public static WebSocketContext fromRequest(List<Map.Entry<String, String>> headers, byte[] body)
            throws WsEventException {
        return fromRequest(headers, body, "");
    }

    /**
     * As {@link #fromRequest(List, byte[])}, with a prefix put before every channel name given to
     * {@link #subscribe} and {@link #unsubscribe}.
     */
    public static WebSocketContext fromRequest(List<Map.Entry<String, String>> headers, byte[] body, String prefix)
            throws WsEventException {
        String cid = null;
        Map<String, String> meta = new LinkedHashMap<>();
        for (Map.Entry<String, String> h : headers) {
            String name = h.getKey();
            if (name.equalsIgnoreCase("Connection-Id")) {
                cid = h.getValue();
            } else if (name.length() > 5 && name.regionMatches(true, 0, "Meta-", 0, 5)) {
                meta.put(name.substring(5).toLowerCase(Locale.ROOT), h.getValue());
            }
        }
        return new WebSocketContext(
                cid, meta, WsEventCodec.decode(body == null ? new byte[0] : body), Objects.requireNonNull(prefix));
    }

    /** A context from parts already read. */
    public static WebSocketContext of(String connectionId, Map<String, String> meta, List<WsEvent> events) {
        return new WebSocketContext(connectionId, meta, List.copyOf(events), "");
    }

    /** The proxy's {@code Connection-Id} for this client connection, or null when the request had none. */
    public String connectionId() {
        return connectionId;
    }

    /** True when the request starts with {@code OPEN}: the client is connecting; {@link #accept()} lets it in. */
    public boolean isOpening() {
        return opening;
    }

    /** Accepts the connection: the answer starts with {@code OPEN} and negotiates the {@code grip} extension. */
    public void accept() {
        accepted = true;
    }

    /** Closes the connection (after what was sent) without a close code. */
    public void close() {
        closed = true;
    }

    /** Closes the connection with a close code (0-65535) and reason. */
    public void close(int code, String reason) {
        if (code < 0 || code > 0xffff) {
            throw new IllegalArgumentException("close code: " + code + " (expected: 0-65535)");
        }
        closed = true;
        outCloseCode = code;
        outCloseReason = reason == null ? "" : reason;
    }

    /** Drops the connection without a close handshake. */
    public void disconnect() {
        out.add(new WsEvent.Disconnect());
    }

    /** True while a message, a close or a disconnect is left to {@link #receive()}. */
    public boolean canReceive() {
        for (WsEvent e : in) {
            if (isMessage(e)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The next message as text (a binary one decoded as UTF-8), or null when the client closed (its code is then
     * {@link #closeCode()}). Pings met on the way are answered with a pong.
     *
     * @throws IllegalStateException when the client disconnected without a close, or nothing is left
     */
    public String receive() {
        byte[] b = receiveBytes();
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    /** As {@link #receive()}, the message's bytes. */
    public byte[] receiveBytes() {
        while (true) {
            WsEvent e = in.poll();
            if (e == null) {
                throw new IllegalStateException("no message left (expected: canReceive() first)");
            }
            switch (e) {
                case WsEvent.Text t -> {
                    return t.content();
                }
                case WsEvent.Binary b -> {
                    return b.content();
                }
                case WsEvent.Close c -> {
                    closeCode = c.code();
                    return null;
                }
                case WsEvent.Disconnect d ->
                    throw new IllegalStateException("the client disconnected (connection " + connectionId + ")");
                case WsEvent.Ping p -> out.add(new WsEvent.Pong(new byte[0]));
                case WsEvent.Pong p -> {
                    // nothing to do
                }
                case WsEvent.Open o -> {
                    // the opening itself, see isOpening()
                }
            }
        }
    }

    /** The close code the client sent, or -1 (none yet, or a close without a code). */
    public int closeCode() {
        return closeCode;
    }

    /** Sends a text message to the client. */
    public void send(String message) {
        out.add(new WsEvent.Text(prefixed("m:", message.getBytes(StandardCharsets.UTF_8))));
    }

    /** Sends a binary message to the client. */
    public void sendBinary(byte[] message) {
        out.add(new WsEvent.Binary(prefixed("m:", message)));
    }

    /** Sends a control message to the proxy. */
    public void sendControl(ControlMessage message) {
        out.add(new WsEvent.Text(ControlMessageWriter.write(message)));
    }

    /** Subscribes the connection to a channel (the prefix put first): {@code ws-message} publishes reach it. */
    public void subscribe(String channel, String... filters) {
        sendControl(new ControlMessage.Subscribe(prefix + channel, List.of(filters)));
    }

    /** Unsubscribes the connection from a channel. */
    public void unsubscribe(String channel) {
        sendControl(new ControlMessage.Unsubscribe(prefix + channel));
    }

    /** Ends the origin's part: the proxy keeps the client connection and its subscriptions, without the origin. */
    public void detach() {
        sendControl(new ControlMessage.Detach());
    }

    /** Has the proxy send {@code content} to the client when the connection was idle for {@code seconds}. */
    public void keepAlive(String content, int seconds) {
        sendControl(new ControlMessage.KeepAlive(
                WsMessageType.TEXT, content.getBytes(StandardCharsets.UTF_8), seconds, KeepAliveMode.IDLE));
    }

    /**
     * Asks the proxy to call again after {@code seconds} even without client events ({@code Keep-Alive-Interval}).
     */
    public void keepAliveInterval(int seconds) {
        if (seconds < 1) {
            throw new IllegalArgumentException("keep-alive interval: " + seconds + " (expected: seconds >= 1)");
        }
        keepAliveInterval = seconds;
    }

    /**
     * The connection's meta (from {@code Meta-*}, names lower-case). Changes are sent back as {@code Set-Meta-*}
     * and come with every later request of this connection.
     */
    public Map<String, String> meta() {
        return meta;
    }

    /**
     * The answer's headers: {@code Content-Type: application/websocket-events}, the {@code grip} extension when
     * accepted, {@code Set-Meta-*} for changed or removed meta, {@code Keep-Alive-Interval} when set.
     */
    public List<Map.Entry<String, String>> responseHeaders() {
        List<Map.Entry<String, String>> h = new ArrayList<>();
        h.add(Map.entry("Content-Type", WsEventCodec.CONTENT_TYPE));
        if (accepted) {
            h.add(Map.entry("Sec-WebSocket-Extensions", "grip"));
        }
        for (String k : originalMeta.keySet()) {
            if (!meta.containsKey(k)) {
                h.add(Map.entry("Set-Meta-" + k, ""));
            }
        }
        for (Map.Entry<String, String> e : meta.entrySet()) {
            if (!e.getValue().equals(originalMeta.get(e.getKey()))) {
                h.add(Map.entry("Set-Meta-" + e.getKey(), e.getValue()));
            }
        }
        if (keepAliveInterval != null) {
            h.add(Map.entry("Keep-Alive-Interval", Integer.toString(keepAliveInterval)));
        }
        return h;
    }

    /** The events to answer with, in order: {@code OPEN} when accepted, what was sent, {@code CLOSE} when closed. */
    public List<WsEvent> outgoingEvents() {
        List<WsEvent> events = new ArrayList<>();
        if (accepted) {
            events.add(new WsEvent.Open());
        }
        events.addAll(out);
        if (closed) {
            events.add(new WsEvent.Close(outCloseCode, outCloseReason));
        }
        return events;
    }

    /** The answer's body: {@link #outgoingEvents()} encoded. */
    public byte[] responseBody() {
        return WsEventCodec.encode(outgoingEvents());
    }

    private static boolean isMessage(WsEvent e) {
        return e instanceof WsEvent.Text
                || e instanceof WsEvent.Binary
                || e instanceof WsEvent.Close
                || e instanceof WsEvent.Disconnect;
    }

    private static byte[] prefixed(String prefix, byte[] content) {
        byte[] p = prefix.getBytes(StandardCharsets.US_ASCII);
        byte[] r = new byte[p.length + content.length];
        System.arraycopy(p, 0, r, 0, p.length);
        System.arraycopy(content, 0, r, p.length, content.length);
        return r;
    }
}
