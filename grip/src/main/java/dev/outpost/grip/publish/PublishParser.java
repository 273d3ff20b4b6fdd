package dev.outpost.grip.publish;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.outpost.grip.HttpStatusText;
import dev.outpost.grip.internal.Base64s;
import dev.outpost.grip.internal.GripJson;
import dev.outpost.grip.internal.HeaderText;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Parses the body of {@code POST /publish}: {@code {"items": [ITEM, ...]}}.
 *
 * <p>Error messages are what the publish endpoint answers with status 400 (followed by a newline on the wire).
 * Each starts with the text Pushpin uses for the same mistake and then names the item index, the field path,
 * the bad value and what was expected, e.g.
 * {@code Invalid format: 'http-response' contains 'code' with invalid value (items[0].formats.http-response.code: 1000, expected: integer 0-999)}.
 * JSON {@code null} counts as absent for optional fields.
 */
public final class PublishParser {
    /** Message for a body that is not JSON at all. */
    public static final String NOT_JSON = "Body is not valid JSON.";

    /** The most a WebSocket control frame (ping, pong) carries (RFC 6455 §5.5). */
    static final int MAX_CONTROL_PAYLOAD = 125;

    private static final String CLOSE_CODES =
            "integer, a close code a WebSocket may send: 1000-1003, 1007-1014 or 3000-4999 (RFC 6455 §7.4)";
    /** The most a close frame's reason holds: 125 bytes less the 2-byte code. */
    static final int MAX_CLOSE_REASON = 123;

    private PublishParser() {}

    /**
     * Close codes an endpoint may put in a close frame (RFC 6455 §7.4.1-2): 1004-1006 and 1015 are reserved for
     * reporting, below 1000 and from 5000 are not defined.
     */
    static boolean sendableCloseCode(int code) {
        return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
    }

    public static List<PublishItem> parse(byte[] body) throws PublishFormatException {
        JsonNode root;
        try {
            root = GripJson.MAPPER.readTree(body == null ? new byte[0] : body);
        } catch (IOException | RuntimeException e) {
            throw new PublishFormatException(NOT_JSON);
        }
        if (root == null || root.isMissingNode()) {
            throw new PublishFormatException(NOT_JSON);
        }
        if (!root.isObject()) {
            throw new PublishFormatException(
                    "Invalid format. Body is " + describe(root) + " (expected: an object with 'items')");
        }
        JsonNode items = root.get("items");
        if (items == null) {
            throw new PublishFormatException(
                    "Invalid format: object does not contain 'items' (expected: {\"items\": [...]})");
        }
        if (!items.isArray()) {
            throw new PublishFormatException("Invalid format: object contains 'items' with wrong type (items: "
                    + describe(items) + ", expected: array)");
        }
        List<PublishItem> out = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            out.add(parseItem(items.get(i), "items[" + i + "]"));
        }
        return out;
    }

    /**
     * Parses one item object; {@code path} (like {@code items[0]}) prefixes field names in error messages.
     */
    public static PublishItem parseItem(JsonNode item, String path) throws PublishFormatException {
        String pn = "publish item object";
        if (item == null || !item.isObject()) {
            throw fail(pn + " is not an object", path, item, "object");
        }
        JsonNode ch = item.get("channel");
        if (ch == null || ch.isNull()) {
            throw new PublishFormatException(
                    "Invalid format: " + pn + " does not contain 'channel' (" + path + ".channel: missing)");
        }
        String channel = string(ch, pn, "channel", path + ".channel");
        String id = fieldText(item, pn, "id", path);
        String prevId = fieldText(item, pn, "prev-id", path);

        JsonNode formats = present(item.get("formats"));
        String fpath;
        if (formats == null) {
            // legacy: format objects directly on the item
            formats = item;
            fpath = path;
            if (present(item.get("http-response")) == null
                    && present(item.get("http-stream")) == null
                    && present(item.get("ws-message")) == null) {
                throw new PublishFormatException("Invalid format: no formats specified (" + path
                        + ": expected 'formats' with http-response, http-stream or ws-message)");
            }
        } else {
            if (!formats.isObject()) {
                throw fail(pn + " contains 'formats' with wrong type", path + ".formats", formats, "object");
            }
            if (formats.isEmpty()) {
                throw new PublishFormatException("Invalid format: no formats specified (" + path
                        + ".formats: expected http-response, http-stream or ws-message)");
            }
            fpath = path + ".formats";
        }
        HttpResponseFormat hr = null;
        HttpStreamFormat hs = null;
        WsMessageFormat ws = null;
        JsonNode f = present(formats.get("http-response"));
        if (f != null) {
            hr = httpResponse(f, fpath + ".http-response");
        }
        f = present(formats.get("http-stream"));
        if (f != null) {
            hs = httpStream(f, fpath + ".http-stream");
        }
        f = present(formats.get("ws-message"));
        if (f != null) {
            ws = wsMessage(f, fpath + ".ws-message");
        }

        Map<String, String> meta = new LinkedHashMap<>();
        JsonNode m = present(item.get("meta"));
        if (m != null) {
            if (!m.isObject()) {
                throw fail(pn + " contains 'meta' with wrong type", path + ".meta", m, "object of strings");
            }
            for (Map.Entry<String, JsonNode> e : m.properties()) {
                if (!e.getValue().isTextual()) {
                    throw fail(
                            "'meta' contains '" + e.getKey() + "' with wrong type",
                            path + ".meta." + e.getKey(),
                            e.getValue(),
                            "string");
                }
                meta.put(e.getKey(), e.getValue().asText());
            }
        }
        JsonNode size = present(item.get("size"));
        if (size != null) {
            Integer s = integer(size);
            if (s == null) {
                throw fail(pn + " contains 'size' with wrong type", path + ".size", size, "integer >= 0");
            }
            if (s < 0) {
                throw fail(pn + " contains 'size' with invalid value", path + ".size", size, "integer >= 0");
            }
        }
        boolean noSeq = false;
        JsonNode ns = present(item.get("no-seq"));
        if (ns != null) {
            if (!ns.isBoolean()) {
                throw fail(pn + " contains 'no-seq' with wrong type", path + ".no-seq", ns, "true or false");
            }
            noSeq = ns.booleanValue();
        }
        return new PublishItem(channel, id, prevId, meta, hr, hs, ws, noSeq);
    }

    private static PublishAction action(JsonNode f, String pn, String path) throws PublishFormatException {
        String a = optString(f, pn, "action", path);
        if (a == null || a.equals("send")) {
            return PublishAction.SEND;
        }
        return switch (a) {
            case "hint" -> PublishAction.HINT;
            case "close" -> PublishAction.CLOSE;
            case "refresh" -> PublishAction.REFRESH;
            default ->
                throw fail(
                        pn + " contains 'action' with invalid value",
                        path + ".action",
                        f.get("action"),
                        "send, hint, close or refresh");
        };
    }

    private static HttpResponseFormat httpResponse(JsonNode f, String path) throws PublishFormatException {
        String pn = "'http-response'";
        if (!f.isObject()) {
            throw fail(pn + " is not an object", path, f, "object");
        }
        PublishAction action = action(f, pn, path);
        if (action != PublishAction.SEND) {
            return new HttpResponseFormat(action, 200, HttpStatusText.of(200), List.of(), null, null, List.of());
        }
        int code = 200;
        JsonNode c = present(f.get("code"));
        if (c != null) {
            Integer v = integer(c);
            if (v == null) {
                throw fail(pn + " contains 'code' with wrong type", path + ".code", c, "integer 0-999");
            }
            if (v < 0 || v > 999) {
                throw fail(pn + " contains 'code' with invalid value", path + ".code", c, "integer 0-999");
            }
            code = v;
        }
        String reason = fieldText(f, pn, "reason", path);
        if (reason == null || reason.isEmpty()) {
            reason = HttpStatusText.of(code);
        }
        List<Map.Entry<String, String>> headers = List.of();
        JsonNode h = present(f.get("headers"));
        if (h != null) {
            headers = headers(h, pn, path + ".headers");
        }
        List<String> filters = contentFilters(f, pn, path);
        byte[] body = null;
        JsonNode patch = null;
        if (present(f.get("body-bin")) != null) {
            body = binary(f, pn, "body-bin", path);
        } else if (present(f.get("body")) != null) {
            body = string(f.get("body"), pn, "body", path + ".body").getBytes(StandardCharsets.UTF_8);
        } else if (present(f.get("body-patch")) != null) {
            patch = f.get("body-patch");
            if (!patch.isArray()) {
                throw fail(
                        pn + " contains 'body-patch' with wrong type",
                        path + ".body-patch",
                        patch,
                        "array of JSON Patch operations");
            }
            for (int i = 0; i < patch.size(); i++) {
                JsonNode op = patch.get(i);
                if (!op.isObject()
                        || !op.path("op").isTextual()
                        || !op.path("path").isTextual()) {
                    throw fail(
                            pn + " contains 'body-patch' with invalid value",
                            path + ".body-patch[" + i + "]",
                            op,
                            "object with string 'op' and 'path'");
                }
            }
            patch = patch.deepCopy();
        } else {
            throw new PublishFormatException(
                    "Invalid format: " + pn + " does not contain 'body', 'body-bin', or 'body-patch' (" + path + ")");
        }
        return new HttpResponseFormat(action, code, reason, headers, body, patch, filters);
    }

    private static HttpStreamFormat httpStream(JsonNode f, String path) throws PublishFormatException {
        String pn = "'http-stream'";
        if (!f.isObject()) {
            throw fail(pn + " is not an object", path, f, "object");
        }
        PublishAction action = action(f, pn, path);
        if (action != PublishAction.SEND) {
            return new HttpStreamFormat(action, null, List.of());
        }
        List<String> filters = contentFilters(f, pn, path);
        byte[] content;
        if (present(f.get("content-bin")) != null) {
            content = binary(f, pn, "content-bin", path);
        } else if (present(f.get("content")) != null) {
            content = string(f.get("content"), pn, "content", path + ".content").getBytes(StandardCharsets.UTF_8);
        } else {
            throw new PublishFormatException(
                    "Invalid format: " + pn + " does not contain 'content' or 'content-bin' (" + path + ")");
        }
        return new HttpStreamFormat(action, content, filters);
    }

    private static WsMessageFormat wsMessage(JsonNode f, String path) throws PublishFormatException {
        String pn = "'ws-message'";
        if (!f.isObject()) {
            throw fail(pn + " is not an object", path, f, "object");
        }
        PublishAction action = action(f, pn, path);
        if (action == PublishAction.CLOSE) {
            int code = -1;
            JsonNode c = present(f.get("code"));
            if (c != null) {
                Integer v = integer(c);
                if (v == null) {
                    throw fail(pn + " contains 'code' with wrong type", path + ".code", c, CLOSE_CODES);
                }
                if (!sendableCloseCode(v)) {
                    throw fail(pn + " contains 'code' with invalid value", path + ".code", c, CLOSE_CODES);
                }
                code = v;
            }
            String reason = optString(f, pn, "reason", path);
            if (reason != null && reason.getBytes(StandardCharsets.UTF_8).length > MAX_CLOSE_REASON) {
                throw fail(
                        pn + " contains 'reason' with invalid value",
                        path + ".reason",
                        f.get("reason"),
                        "at most " + MAX_CLOSE_REASON + " bytes of UTF-8 (a close frame holds 125 bytes)");
            }
            return new WsMessageFormat(action, WsMessageType.TEXT, new byte[0], code, reason, List.of());
        }
        if (action != PublishAction.SEND) {
            return new WsMessageFormat(action, WsMessageType.TEXT, new byte[0], -1, "", List.of());
        }
        WsMessageType type = null;
        String t = optString(f, pn, "type", path);
        if (t != null) {
            type = switch (t) {
                case "text" -> WsMessageType.TEXT;
                case "binary" -> WsMessageType.BINARY;
                case "ping" -> WsMessageType.PING;
                case "pong" -> WsMessageType.PONG;
                default ->
                    throw fail(
                            pn + " contains 'type' with unknown value",
                            path + ".type",
                            f.get("type"),
                            "text, binary, ping or pong");
            };
        }
        List<String> filters = contentFilters(f, pn, path);
        byte[] content;
        if (present(f.get("content-bin")) != null) {
            content = binary(f, pn, "content-bin", path);
            type = type == null ? WsMessageType.BINARY : type;
        } else if (present(f.get("content")) != null) {
            content = string(f.get("content"), pn, "content", path + ".content").getBytes(StandardCharsets.UTF_8);
            type = type == null ? WsMessageType.TEXT : type;
        } else if (type == WsMessageType.PING || type == WsMessageType.PONG) {
            content = new byte[0];
        } else {
            throw new PublishFormatException(
                    "Invalid format: " + pn + " does not contain 'content' or 'content-bin' (" + path + ")");
        }
        if ((type == WsMessageType.PING || type == WsMessageType.PONG) && content.length > MAX_CONTROL_PAYLOAD) {
            throw new PublishFormatException(
                    "Invalid format: " + pn + " contains a " + type.name().toLowerCase(Locale.ROOT)
                            + " with " + content.length + " bytes of content (" + path + ": expected at most "
                            + MAX_CONTROL_PAYLOAD + " bytes, the most a WebSocket control frame holds)");
        }
        return new WsMessageFormat(action, type, content, -1, "", filters);
    }

    private static List<Map.Entry<String, String>> headers(JsonNode h, String pn, String path)
            throws PublishFormatException {
        List<Map.Entry<String, String>> out = new ArrayList<>();
        if (h.isArray()) {
            for (int i = 0; i < h.size(); i++) {
                JsonNode pair = h.get(i);
                String p = path + "[" + i + "]";
                if (!pair.isArray()) {
                    throw fail("headers contains element with wrong type", p, pair, "[name, value]");
                }
                if (pair.size() != 2) {
                    throw fail("headers contains list with wrong number of elements", p, pair, "[name, value]");
                }
                if (!pair.get(0).isTextual()) {
                    throw fail("header contains name element with wrong type", p + "[0]", pair.get(0), "string");
                }
                if (!pair.get(1).isTextual()) {
                    throw fail("header contains value element with wrong type", p + "[1]", pair.get(1), "string");
                }
                out.add(header(pair.get(0).asText(), pair.get(1).asText(), p + "[0]", p + "[1]"));
            }
        } else if (h.isObject()) {
            for (Map.Entry<String, JsonNode> e : h.properties()) {
                if (!e.getValue().isTextual()) {
                    throw fail(
                            "headers contains '" + e.getKey() + "' with wrong type",
                            path + "." + e.getKey(),
                            e.getValue(),
                            "string");
                }
                out.add(header(e.getKey(), e.getValue().asText(), path, path + "." + e.getKey()));
            }
        } else {
            throw fail(
                    pn + " contains 'headers' with wrong type", path, h, "object of strings or array of [name, value]");
        }
        return out;
    }

    private static List<String> contentFilters(JsonNode f, String pn, String path) throws PublishFormatException {
        JsonNode cf = present(f.get("content-filters"));
        if (cf == null) {
            return List.of();
        }
        if (!cf.isArray()) {
            throw fail(
                    pn + " contains 'content-filters' with wrong type",
                    path + ".content-filters",
                    cf,
                    "array of strings");
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < cf.size(); i++) {
            if (!cf.get(i).isTextual()) {
                throw fail(
                        "content-filters contains element with wrong type",
                        path + ".content-filters[" + i + "]",
                        cf.get(i),
                        "string");
            }
            out.add(cf.get(i).asText());
        }
        return out;
    }

    private static byte[] binary(JsonNode f, String pn, String field, String path) throws PublishFormatException {
        JsonNode v = f.get(field);
        String s = string(v, pn, field, path + "." + field);
        byte[] b = Base64s.decode(s);
        if (b == null) {
            throw fail(pn + " contains '" + field + "' with invalid value", path + "." + field, v, "Base64");
        }
        return b;
    }

    /** A header from a publish item: refused when it could not go on the wire as it is (a CR or LF in it, say). */
    private static Map.Entry<String, String> header(String name, String value, String namePath, String valuePath)
            throws PublishFormatException {
        if (!HeaderText.isFieldName(name)) {
            throw new PublishFormatException("Invalid format: header name is not valid (" + namePath + ": "
                    + quote(name) + ", expected: letters, digits and !#$%&'*+-.^_`|~ only)");
        }
        if (!HeaderText.isFieldValue(value)) {
            throw new PublishFormatException("Invalid format: header '" + name + "' has a value that is not valid ("
                    + valuePath + ": " + quote(value) + ", expected: no control characters such as CR or LF)");
        }
        return Map.entry(name, value);
    }

    /**
     * An optional string that goes on the wire later (a reason phrase, or an ID that returns in {@code Grip-Last}):
     * no control characters.
     */
    private static String fieldText(JsonNode obj, String pn, String field, String path) throws PublishFormatException {
        String v = optString(obj, pn, field, path);
        if (v != null && !HeaderText.isFieldValue(v)) {
            throw new PublishFormatException("Invalid format: " + pn + " contains '" + field
                    + "' with invalid value (" + path + "." + field + ": " + quote(v)
                    + ", expected: no control characters such as CR or LF)");
        }
        return v;
    }

    /** A string for a message, control characters escaped as JSON does. */
    private static String quote(String s) {
        return describe(TextNode.valueOf(s));
    }

    private static String optString(JsonNode obj, String pn, String field, String path) throws PublishFormatException {
        JsonNode v = present(obj.get(field));
        return v == null ? null : string(v, pn, field, path + "." + field);
    }

    private static String string(JsonNode v, String pn, String field, String path) throws PublishFormatException {
        if (!v.isTextual()) {
            throw fail(pn + " contains '" + field + "' with wrong type", path, v, "string");
        }
        return v.asText();
    }

    /** An int from a JSON integer, an integral float, or a decimal string (Pushpin converts those too). */
    private static Integer integer(JsonNode v) {
        if (v.isIntegralNumber()) {
            return v.canConvertToInt() ? v.intValue() : null;
        }
        if (v.isFloatingPointNumber()) {
            double d = v.doubleValue();
            return d == Math.rint(d) && v.canConvertToInt() ? (int) d : null;
        }
        if (v.isTextual() && v.asText().matches("-?[0-9]{1,9}")) {
            return Integer.parseInt(v.asText());
        }
        return null;
    }

    private static JsonNode present(JsonNode v) {
        return v == null || v.isNull() ? null : v;
    }

    private static PublishFormatException fail(String pushpinPhrase, String path, JsonNode value, String expected) {
        return new PublishFormatException("Invalid format: " + pushpinPhrase + " (" + path + ": " + describe(value)
                + ", expected: " + expected + ")");
    }

    /** A JSON value for a message: objects and arrays by kind, scalars as JSON, long text cut. */
    static String describe(JsonNode v) {
        if (v == null) {
            return "missing";
        }
        if (v.isObject()) {
            return "an object";
        }
        if (v.isArray()) {
            String s = v.toString();
            return s.length() <= 40 ? s : "an array";
        }
        String s = v.toString();
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }
}
