package dev.outpost.grip.control;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outpost.grip.instruct.KeepAliveMode;
import dev.outpost.grip.internal.Base64s;
import dev.outpost.grip.internal.GripJson;
import dev.outpost.grip.publish.WsMessageType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses WebSocket control messages: the JSON object after the {@code c:} prefix of a text message the origin
 * sends. Errors name the message type, the field and the bad value; Pushpin ignores a message it cannot parse.
 */
public final class ControlMessageParser {
    /** Prefix that marks a text message from the origin as a control message. */
    public static final String PREFIX = "c:";
    /** Most filters one subscription may have. */
    public static final int MAX_FILTERS = 5;

    private static final String TYPES =
            "subscribe, unsubscribe, detach, session, set-meta, keep-alive, send-delayed or flush-delayed";

    private ControlMessageParser() {}

    /** True when a text message from the origin is a control message. */
    public static boolean isControl(byte[] message) {
        return message.length >= 2 && message[0] == 'c' && message[1] == ':';
    }

    /**
     * Parses one control message. {@code json} is the JSON object; a leading {@code c:} is skipped when present.
     *
     * @throws ControlMessageException naming the field and what was expected
     */
    public static ControlMessage parse(byte[] json) throws ControlMessageException {
        byte[] in = json == null ? new byte[0] : json;
        int off = isControl(in) ? 2 : 0;
        JsonNode root;
        try {
            root = GripJson.MAPPER.readTree(in, off, in.length - off);
        } catch (IOException | RuntimeException e) {
            throw new ControlMessageException("control message: not valid JSON" + GripJson.where(e));
        }
        if (root == null || root.isMissingNode()) {
            throw new ControlMessageException("control message: empty (expected: JSON object with 'type')");
        }
        if (!root.isObject()) {
            throw new ControlMessageException(
                    "control message: " + describe(root) + " (expected: JSON object with 'type')");
        }
        JsonNode t = root.get("type");
        if (t == null || t.isNull()) {
            throw new ControlMessageException("control message: type: missing (expected: " + TYPES + ")");
        }
        if (!t.isTextual()) {
            throw new ControlMessageException("control message: type: " + describe(t) + " (expected: " + TYPES + ")");
        }
        String type = t.asText();
        return switch (type) {
            case "subscribe" -> new ControlMessage.Subscribe(channel(root, type), filters(root));
            case "unsubscribe" -> new ControlMessage.Unsubscribe(channel(root, type));
            case "detach" -> new ControlMessage.Detach();
            case "session" -> new ControlMessage.Session(optString(root, type, "id"));
            case "set-meta" -> setMeta(root);
            case "keep-alive" -> keepAlive(root);
            case "send-delayed" -> sendDelayed(root);
            case "flush-delayed" -> new ControlMessage.FlushDelayed();
            default ->
                throw new ControlMessageException(
                        "control message: type: " + describe(t) + " (expected: " + TYPES + ")");
        };
    }

    private static String channel(JsonNode root, String type) throws ControlMessageException {
        String c = optString(root, type, "channel");
        if (c == null) {
            throw new ControlMessageException(type + ": channel: missing (expected: non-empty string)");
        }
        if (c.isEmpty()) {
            throw new ControlMessageException(type + ": channel: \"\" (expected: non-empty string)");
        }
        return c;
    }

    private static List<String> filters(JsonNode root) throws ControlMessageException {
        JsonNode f = present(root.get("filters"));
        if (f == null) {
            return List.of();
        }
        if (!f.isArray()) {
            throw new ControlMessageException("subscribe: filters: " + describe(f) + " (expected: array of strings)");
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < f.size(); i++) {
            if (!f.get(i).isTextual()) {
                throw new ControlMessageException(
                        "subscribe: filters[" + i + "]: " + describe(f.get(i)) + " (expected: string)");
            }
            out.add(f.get(i).asText());
        }
        if (out.size() > MAX_FILTERS) {
            throw new ControlMessageException(
                    "subscribe: filters: " + out.size() + " filters (expected: at most " + MAX_FILTERS + ")");
        }
        return out;
    }

    private static ControlMessage setMeta(JsonNode root) throws ControlMessageException {
        String name = optString(root, "set-meta", "name");
        if (name == null) {
            throw new ControlMessageException("set-meta: name: missing (expected: non-empty string)");
        }
        if (name.isEmpty()) {
            throw new ControlMessageException("set-meta: name: \"\" (expected: non-empty string)");
        }
        return new ControlMessage.SetMeta(name, optString(root, "set-meta", "value"));
    }

    private record Message(WsMessageType type, byte[] content, int timeout) {}

    private static Message message(JsonNode root, String type, int defaultTimeout) throws ControlMessageException {
        WsMessageType mt = null;
        String ts = optString(root, type, "message-type");
        if (ts != null) {
            mt = switch (ts) {
                case "text" -> WsMessageType.TEXT;
                case "binary" -> WsMessageType.BINARY;
                case "ping" -> WsMessageType.PING;
                case "pong" -> WsMessageType.PONG;
                default ->
                    throw new ControlMessageException(type + ": message-type: " + describe(root.get("message-type"))
                            + " (expected: text, binary, ping or pong)");
            };
        }
        byte[] content = null;
        String bin = optString(root, type, "content-bin");
        if (bin != null) {
            content = Base64s.decode(bin);
            if (content == null) {
                throw new ControlMessageException(
                        type + ": content-bin: " + describe(root.get("content-bin")) + " (expected: Base64)");
            }
            mt = mt == null ? WsMessageType.BINARY : mt;
        } else {
            String text = optString(root, type, "content");
            if (text != null) {
                content = text.getBytes(StandardCharsets.UTF_8);
            }
        }
        int timeout = defaultTimeout;
        JsonNode t = present(root.get("timeout"));
        if (t != null) {
            Integer v = t.isIntegralNumber() && t.canConvertToInt() ? t.intValue() : null;
            if (v == null || v < 0) {
                throw new ControlMessageException(type + ": timeout: " + describe(t) + " (expected: integer >= 0)");
            }
            // as Pushpin: zero means the default
            timeout = v > 0 ? v : defaultTimeout;
        }
        return new Message(mt == null ? WsMessageType.TEXT : mt, content, timeout);
    }

    private static ControlMessage keepAlive(JsonNode root) throws ControlMessageException {
        Message m = message(root, "keep-alive", ControlMessage.KeepAlive.DEFAULT_TIMEOUT);
        String mode = optString(root, "keep-alive", "mode");
        KeepAliveMode km;
        if (mode == null || mode.equals("idle")) {
            km = KeepAliveMode.IDLE;
        } else if (mode.equals("interval")) {
            km = KeepAliveMode.INTERVAL;
        } else {
            throw new ControlMessageException(
                    "keep-alive: mode: " + describe(root.get("mode")) + " (expected: idle or interval)");
        }
        return new ControlMessage.KeepAlive(m.type(), m.content(), m.timeout(), km);
    }

    private static ControlMessage sendDelayed(JsonNode root) throws ControlMessageException {
        Message m = message(root, "send-delayed", ControlMessage.SendDelayed.DEFAULT_TIMEOUT);
        return new ControlMessage.SendDelayed(m.type(), m.content(), m.timeout());
    }

    private static String optString(JsonNode obj, String type, String field) throws ControlMessageException {
        JsonNode v = present(obj.get(field));
        if (v == null) {
            return null;
        }
        if (!v.isTextual()) {
            throw new ControlMessageException(type + ": " + field + ": " + describe(v) + " (expected: string)");
        }
        return v.asText();
    }

    private static JsonNode present(JsonNode v) {
        return v == null || v.isNull() ? null : v;
    }

    private static String describe(JsonNode v) {
        if (v.isObject()) {
            return "an object";
        }
        if (v.isArray()) {
            return "an array";
        }
        String s = v.toString();
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }
}
