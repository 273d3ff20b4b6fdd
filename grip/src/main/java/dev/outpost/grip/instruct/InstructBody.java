package dev.outpost.grip.instruct;

import static dev.outpost.grip.instruct.InstructText.abbreviate;
import static dev.outpost.grip.instruct.InstructText.kind;
import static dev.outpost.grip.instruct.InstructText.show;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.outpost.grip.HttpStatusText;
import dev.outpost.grip.internal.Base64s;
import dev.outpost.grip.internal.GripJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code application/grip-instruct} body: a JSON object with an optional {@code hold} (mode, channels, timeout,
 * keep-alive, meta) and an optional {@code response} (code, reason, headers, body) that the client gets instead of
 * the origin's. A bad body is a {@link GripInstructException} naming the JSON field and the value.
 */
final class InstructBody {
    private static final JsonMapper JSON = GripJson.MAPPER;
    private static final String CT = GripInstructParser.INSTRUCT_CONTENT_TYPE;
    private static final int MAX_FILTERS = GripInstructParser.MAX_FILTERS;

    private InstructBody() {}

    /** What the body says; {@code hold} null when it has no {@code hold} object. */
    static final class JsonInstruct {
        HoldMode hold;
        List<GripChannel> channels = List.of();
        Integer timeout;
        boolean keepAliveSet;
        KeepAlive keepAlive;
        final Map<String, String> meta = new LinkedHashMap<>();
        InstructResponse response;
    }

    static JsonInstruct parse(int status, byte[] body, GripStatus gripStatus) throws GripInstructException {
        if (status != 200) {
            throw new GripInstructException(CT + ": origin status " + status + " (expected: 200)");
        }
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (IOException | RuntimeException ex) {
            throw new GripInstructException(CT + ": body is not valid JSON" + GripJson.where(ex));
        }
        if (root == null || !root.isObject()) {
            throw new GripInstructException(CT + ": body is " + kind(root) + " (expected: JSON object)");
        }
        JsonInstruct out = new JsonInstruct();
        JsonNode hold = root.get("hold");
        if (hold != null) {
            parseJsonHold(requireObject(hold, "hold"), out);
        }
        int code = gripStatus != null ? gripStatus.code() : 200;
        String reason = gripStatus != null ? gripStatus.reason() : HttpStatusText.of(200);
        List<Map.Entry<String, String>> rheaders = new ArrayList<>();
        byte[] rbody = new byte[0];
        JsonNode resp = root.get("response");
        if (resp != null) {
            requireObject(resp, "response");
            JsonNode c = resp.get("code");
            if (c != null) {
                code = intField(c, "response.code", "integer 0-999");
                if (code < 0 || code > 999) {
                    throw new GripInstructException(CT + ": response.code: " + c + " (expected: integer 0-999)");
                }
                reason = HttpStatusText.of(code);
            }
            String r = optString(resp, "reason", "response.reason");
            if (r != null && !r.isEmpty()) {
                reason = r;
            }
            JsonNode hs = resp.get("headers");
            if (hs != null) {
                rheaders = headerList(hs, CT + ": response.headers");
            }
            if (resp.has("body-bin")) {
                rbody = base64(requireString(resp.get("body-bin"), "response.body-bin"), "response.body-bin");
            } else if (resp.has("body")) {
                rbody = requireString(resp.get("body"), "response.body").getBytes(StandardCharsets.UTF_8);
            }
        }
        out.response = new InstructResponse(code, reason, rheaders, rbody);
        return out;
    }

    private static void parseJsonHold(JsonNode hold, JsonInstruct out) throws GripInstructException {
        String mode = optString(hold, "mode", "hold.mode");
        if (mode == null || mode.equals("response")) {
            out.hold = HoldMode.RESPONSE;
        } else if (mode.equals("stream")) {
            out.hold = HoldMode.STREAM;
        } else {
            throw new GripInstructException(CT + ": hold.mode: " + show(mode) + " (expected: response or stream)");
        }
        JsonNode chans = hold.get("channels");
        if (chans == null) {
            throw new GripInstructException(CT + ": hold.channels: missing (expected: array of channel objects)");
        }
        if (!chans.isArray()) {
            throw new GripInstructException(
                    CT + ": hold.channels: " + kind(chans) + " (expected: array of channel objects)");
        }
        List<GripChannel> channels = new ArrayList<>();
        for (int i = 0; i < chans.size(); i++) {
            String p = "hold.channels[" + i + "]";
            JsonNode ch = requireObject(chans.get(i), p);
            JsonNode name = ch.get("name");
            if (name == null) {
                throw new GripInstructException(CT + ": " + p + ".name: missing (expected: string)");
            }
            String n = requireString(name, p + ".name");
            if (n.isEmpty()) {
                throw new GripInstructException(CT + ": " + p + ".name: \"\" (expected: non-empty string)");
            }
            String prevId = optString(ch, "prev-id", p + ".prev-id");
            List<String> filters = new ArrayList<>();
            JsonNode fs = ch.get("filters");
            if (fs != null && !fs.isNull()) {
                if (!fs.isArray()) {
                    throw new GripInstructException(
                            CT + ": " + p + ".filters: " + kind(fs) + " (expected: array of strings)");
                }
                for (int k = 0; k < fs.size(); k++) {
                    filters.add(requireString(fs.get(k), p + ".filters[" + k + "]"));
                }
                if (filters.size() > MAX_FILTERS) {
                    throw new GripInstructException(CT + ": " + p + ".filters: " + filters.size()
                            + " filters (expected: at most " + MAX_FILTERS + ")");
                }
            }
            channels.add(new GripChannel(n, prevId, filters));
        }
        out.channels = channels;
        JsonNode t = hold.get("timeout");
        if (t != null) {
            int v = intField(t, "hold.timeout", "integer >= 0");
            if (v < 0) {
                throw new GripInstructException(CT + ": hold.timeout: " + t + " (expected: integer >= 0)");
            }
            out.timeout = v;
        }
        JsonNode ka = hold.get("keep-alive");
        if (ka != null && !ka.isNull()) {
            requireObject(ka, "hold.keep-alive");
            out.keepAliveSet = true;
            byte[] content = null;
            if (ka.has("content-bin")) {
                content = base64(
                        requireString(ka.get("content-bin"), "hold.keep-alive.content-bin"),
                        "hold.keep-alive.content-bin");
            } else if (ka.has("content")) {
                content = requireString(ka.get("content"), "hold.keep-alive.content")
                        .getBytes(StandardCharsets.UTF_8);
            }
            int timeout = KeepAlive.DEFAULT_TIMEOUT;
            JsonNode kt = ka.get("timeout");
            if (kt != null) {
                timeout = intField(kt, "hold.keep-alive.timeout", "integer >= 0");
                if (timeout < 0) {
                    throw new GripInstructException(
                            CT + ": hold.keep-alive.timeout: " + kt + " (expected: integer >= 0)");
                }
                timeout = Math.max(1, timeout);
            }
            KeepAliveMode kaMode = KeepAliveMode.IDLE;
            String m = optString(ka, "mode", "hold.keep-alive.mode");
            if ("interval".equals(m)) {
                kaMode = KeepAliveMode.INTERVAL;
            } else if (m != null && !m.equals("idle")) {
                throw new GripInstructException(
                        CT + ": hold.keep-alive.mode: " + show(m) + " (expected: idle or interval)");
            }
            // without content there is nothing to send: no keep-alive
            out.keepAlive = content == null || content.length == 0 ? null : new KeepAlive(content, timeout, kaMode);
        }
        JsonNode meta = hold.get("meta");
        if (meta != null && !meta.isNull()) {
            requireObject(meta, "hold.meta");
            for (Map.Entry<String, JsonNode> f : meta.properties()) {
                out.meta.put(f.getKey(), requireString(f.getValue(), "hold.meta." + f.getKey()));
            }
        }
    }

    /** Headers as an object of strings or an array of [name, value] pairs. */
    static List<Map.Entry<String, String>> headerList(JsonNode hs, String where) throws GripInstructException {
        List<Map.Entry<String, String>> out = new ArrayList<>();
        if (hs.isArray()) {
            for (int i = 0; i < hs.size(); i++) {
                JsonNode pair = hs.get(i);
                if (!pair.isArray()
                        || pair.size() != 2
                        || !pair.get(0).isTextual()
                        || !pair.get(1).isTextual()) {
                    throw new GripInstructException(where + "[" + i + "]: " + abbreviate(pair.toString())
                            + " (expected: [name, value] strings)");
                }
                out.add(Map.entry(pair.get(0).asText(), pair.get(1).asText()));
            }
        } else if (hs.isObject()) {
            for (Map.Entry<String, JsonNode> f : hs.properties()) {
                if (!f.getValue().isTextual()) {
                    throw new GripInstructException(
                            where + "." + f.getKey() + ": " + kind(f.getValue()) + " (expected: string)");
                }
                out.add(Map.entry(f.getKey(), f.getValue().asText()));
            }
        } else {
            throw new GripInstructException(
                    where + ": " + kind(hs) + " (expected: object of strings or array of [name, value] pairs)");
        }
        return out;
    }

    private static JsonNode requireObject(JsonNode n, String path) throws GripInstructException {
        if (!n.isObject()) {
            throw new GripInstructException(CT + ": " + path + ": " + kind(n) + " (expected: object)");
        }
        return n;
    }

    private static String requireString(JsonNode n, String path) throws GripInstructException {
        if (!n.isTextual()) {
            throw new GripInstructException(CT + ": " + path + ": " + kind(n) + " (expected: string)");
        }
        return n.asText();
    }

    private static String optString(JsonNode obj, String field, String path) throws GripInstructException {
        JsonNode n = obj.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        return requireString(n, path);
    }

    private static int intField(JsonNode n, String path, String expected) throws GripInstructException {
        if (n.isIntegralNumber() && n.canConvertToInt()) {
            return n.intValue();
        }
        if (n.isFloatingPointNumber() && n.canConvertToInt() && n.doubleValue() == Math.rint(n.doubleValue())) {
            return n.intValue();
        }
        throw new GripInstructException(
                CT + ": " + path + ": " + abbreviate(n.toString()) + " (expected: " + expected + ")");
    }

    private static byte[] base64(String s, String path) throws GripInstructException {
        byte[] b = Base64s.decode(s);
        if (b == null) {
            throw new GripInstructException(CT + ": " + path + ": " + show(s) + " (expected: valid Base64)");
        }
        return b;
    }
}
