package dev.outpost.grip.instruct;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.outpost.grip.HttpStatusText;
import dev.outpost.grip.internal.Base64s;
import dev.outpost.grip.internal.GripJson;
import dev.outpost.grip.internal.HeaderText;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the GRIP instruction of one origin response: the {@code Grip-*} headers and, for
 * {@code Content-Type: application/grip-instruct}, the JSON body. A pure function of status, headers and body.
 */
public final class GripInstructParser {
    public static final String INSTRUCT_CONTENT_TYPE = "application/grip-instruct";
    /** Most filters one channel subscription may have. */
    public static final int MAX_FILTERS = 5;

    private static final JsonMapper JSON = GripJson.MAPPER;

    private GripInstructParser() {}

    /** True when any header name starts with {@code Grip-} or the content type is {@code application/grip-instruct}. */
    public static boolean isGrip(Iterable<? extends Map.Entry<String, String>> responseHeaders) {
        for (Map.Entry<String, String> h : responseHeaders) {
            String name = h.getKey();
            if (isGripHeader(name)) {
                return true;
            }
            if (name.equalsIgnoreCase("Content-Type") && isInstructType(h.getValue())) {
                return true;
            }
        }
        return false;
    }

    /** True for {@code application/grip-instruct}, parameters ignored. */
    public static boolean isInstructType(String contentType) {
        if (contentType == null) {
            return false;
        }
        int semi = contentType.indexOf(';');
        String t = (semi >= 0 ? contentType.substring(0, semi) : contentType).trim();
        return t.equalsIgnoreCase(INSTRUCT_CONTENT_TYPE);
    }

    /** True for header names the proxy must not relay to the client ({@code Grip-*}). */
    public static boolean isGripHeader(String name) {
        return name.regionMatches(true, 0, "Grip-", 0, 5);
    }

    /**
     * Parses the instruction.
     *
     * <p>For {@code application/grip-instruct} content {@link GripInstruct#response()} is never {@code null}: it is
     * what the client receives instead of the origin's response (code and reason already merged with
     * {@code Grip-Status}; headers and body only from the JSON). Otherwise it is {@code null} and the origin's
     * response is relayed, minus {@code Grip-*} headers and filtered by {@code Grip-Expose-Headers}.
     *
     * @param status          the origin's status code
     * @param responseHeaders the origin's headers in wire order; values either as an HTTP codec delivers them (one
     *                        char per byte, read as UTF-8 here like Pushpin does) or as Unicode text
     * @param body            the origin's body (only read for {@code application/grip-instruct})
     * @throws GripInstructException naming the header (or JSON field) and the bad value
     */
    public static GripInstruct parse(int status, List<Map.Entry<String, String>> responseHeaders, byte[] body)
            throws GripInstructException {
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        if (responseHeaders != null) {
            for (Map.Entry<String, String> h : responseHeaders) {
                // keep-alive data is bytes, everything else is text
                headers.add(
                        h.getKey().equalsIgnoreCase("Grip-Keep-Alive")
                                ? h
                                : Map.entry(h.getKey(), HeaderText.text(h.getValue())));
            }
        }

        HoldMode hold = parseHold(HeaderParams.first(headers, "Grip-Hold"));
        List<GripChannel> channels = parseChannels(HeaderParams.values(headers, "Grip-Channel", true));
        int timeout = parseTimeout(HeaderParams.first(headers, "Grip-Timeout"));
        List<String> expose = parseExpose(HeaderParams.values(headers, "Grip-Expose-Headers", true));
        KeepAlive keepAlive = parseKeepAlive(HeaderParams.first(headers, "Grip-Keep-Alive"));
        Map<String, String> meta = parseMeta(HeaderParams.values(headers, "Grip-Set-Meta", true));
        GripStatus gripStatus = parseStatus(HeaderParams.first(headers, "Grip-Status"));
        NextLink next = null;
        String gone = null;
        for (String element : HeaderParams.values(headers, "Grip-Link", true)) {
            Link link = parseLink(element);
            if (link == null) {
                continue;
            }
            if ("next".equals(link.rel)) {
                next = new NextLink(link.uri, link.timeout);
            } else if ("gone".equals(link.rel)) {
                gone = link.uri;
            }
        }

        InstructResponse response = null;
        String contentType = HeaderParams.first(headers, "Content-Type");
        if (isInstructType(contentType)) {
            JsonInstruct j = parseJson(status, body == null ? new byte[0] : body, gripStatus);
            if (j.hold != null) {
                hold = j.hold;
                channels = j.channels;
                if (j.timeout != null) {
                    timeout = j.timeout;
                }
                if (j.keepAliveSet) {
                    keepAlive = j.keepAlive;
                }
                meta.putAll(j.meta);
            }
            response = j.response;
        }

        return new GripInstruct(
                hold,
                channels,
                Math.max(timeout, GripInstruct.MIN_TIMEOUT),
                keepAlive,
                gripStatus,
                next,
                gone,
                meta,
                response,
                expose);
    }

    private static HoldMode parseHold(String v) throws GripInstructException {
        if (v == null) {
            return null;
        }
        return switch (v.trim()) {
            case "response" -> HoldMode.RESPONSE;
            case "stream" -> HoldMode.STREAM;
            default -> throw new GripInstructException("Grip-Hold: " + show(v) + " (expected: response or stream)");
        };
    }

    private static List<GripChannel> parseChannels(List<String> elements) throws GripInstructException {
        List<GripChannel> out = new ArrayList<>();
        for (String element : elements) {
            if (element.isEmpty()) {
                continue; // an empty list element, e.g. from a trailing comma
            }
            HeaderParams.Element e;
            try {
                e = HeaderParams.parseElement(element);
            } catch (HeaderParams.SyntaxException ex) {
                throw new GripInstructException("Grip-Channel: " + show(element) + " (" + ex.getMessage() + ")");
            }
            if (e.value().isEmpty()) {
                throw new GripInstructException(
                        "Grip-Channel: " + show(element) + " (expected: channel name before the first ';')");
            }
            List<String> filters = e.getAll("filter");
            if (filters.size() > MAX_FILTERS) {
                throw new GripInstructException("Grip-Channel: " + show(element) + " (too many filters: "
                        + filters.size() + ", expected: at most " + MAX_FILTERS + ")");
            }
            out.add(new GripChannel(e.value(), e.get("prev-id"), filters));
        }
        return out;
    }

    private static int parseTimeout(String v) throws GripInstructException {
        if (v == null) {
            return GripInstruct.DEFAULT_TIMEOUT;
        }
        return nonNegativeInt(v, "Grip-Timeout: " + show(v) + " (expected: integer >= 0)");
    }

    private static List<String> parseExpose(List<String> names) {
        List<String> out = new ArrayList<>();
        for (String n : names) {
            if (!n.isEmpty()) {
                out.add(n);
            }
        }
        return out.isEmpty() ? null : out;
    }

    private static KeepAlive parseKeepAlive(String v) throws GripInstructException {
        if (v == null || v.isEmpty()) {
            return null;
        }
        List<HeaderParams.Param> params;
        try {
            params = HeaderParams.parseParams(v, true);
        } catch (HeaderParams.SyntaxException ex) {
            throw new GripInstructException("Grip-Keep-Alive: " + show(v) + " (" + ex.getMessage() + ")");
        }
        HeaderParams.Element e = new HeaderParams.Element(params.get(0).key(), params.subList(1, params.size()));
        String data = e.value();
        if (data.isEmpty()) {
            throw new GripInstructException("Grip-Keep-Alive: " + show(v) + " (expected: non-empty data before ';')");
        }
        String modeStr = e.get("mode");
        KeepAliveMode mode;
        if (modeStr == null || modeStr.isEmpty() || modeStr.equals("idle")) {
            mode = KeepAliveMode.IDLE;
        } else if (modeStr.equals("interval")) {
            mode = KeepAliveMode.INTERVAL;
        } else {
            throw new GripInstructException("Grip-Keep-Alive: mode=" + show(modeStr) + " (expected: idle or interval)");
        }
        int timeout = KeepAlive.DEFAULT_TIMEOUT;
        String t = e.get("timeout");
        if (t != null) {
            timeout =
                    Math.max(1, nonNegativeInt(t, "Grip-Keep-Alive: timeout=" + show(t) + " (expected: integer >= 0)"));
        }
        String format = e.get("format");
        byte[] content;
        if (format == null || format.isEmpty() || format.equals("raw")) {
            content = HeaderText.bytes(data);
        } else if (format.equals("cstring")) {
            content = unescapeCString(data);
            if (content == null) {
                throw new GripInstructException(
                        "Grip-Keep-Alive: " + show(data) + " (expected: cstring with escapes \\\\ \\r \\n \\xHH)");
            }
        } else if (format.equals("base64")) {
            content = Base64s.decode(data);
            if (content == null) {
                throw new GripInstructException("Grip-Keep-Alive: " + show(data) + " (expected: valid Base64)");
            }
        } else {
            throw new GripInstructException(
                    "Grip-Keep-Alive: format=" + show(format) + " (expected: raw, cstring or base64)");
        }
        if (content.length == 0) {
            throw new GripInstructException("Grip-Keep-Alive: " + show(v) + " (expected: non-empty data)");
        }
        return new KeepAlive(content, timeout, mode);
    }

    /** Decodes {@code \\ \r \n \xHH}; other escaped characters are dropped. Returns null when malformed. */
    static byte[] unescapeCString(String in) {
        byte[] src = HeaderText.bytes(in);
        ByteArrayOutputStream out = new ByteArrayOutputStream(src.length);
        for (int n = 0; n < src.length; n++) {
            byte c = src[n];
            if (c != '\\') {
                out.write(c);
                continue;
            }
            if (n + 1 >= src.length) {
                return null;
            }
            byte e = src[++n];
            switch (e) {
                case '\\' -> out.write('\\');
                case 'r' -> out.write('\r');
                case 'n' -> out.write('\n');
                case 'x' -> {
                    if (n + 2 >= src.length) {
                        return null;
                    }
                    int hi = Character.digit(src[n + 1], 16);
                    int lo = Character.digit(src[n + 2], 16);
                    if (hi < 0 || lo < 0) {
                        return null;
                    }
                    out.write((hi << 4) | lo);
                    n += 2;
                }
                default -> {
                    // Pushpin drops unknown escapes; keep that so existing origins behave the same
                }
            }
        }
        return out.toByteArray();
    }

    private static Map<String, String> parseMeta(List<String> elements) throws GripInstructException {
        Map<String, String> meta = new LinkedHashMap<>();
        for (String element : elements) {
            if (element.isEmpty()) {
                continue;
            }
            List<HeaderParams.Param> params;
            try {
                params = HeaderParams.parseParams(element, false);
            } catch (HeaderParams.SyntaxException ex) {
                throw new GripInstructException("Grip-Set-Meta: " + show(element) + " (" + ex.getMessage() + ")");
            }
            for (HeaderParams.Param p : params) {
                if (p.key().isEmpty()) {
                    throw new GripInstructException(
                            "Grip-Set-Meta: " + show(element) + " (expected: name=value or name=\"value\")");
                }
                meta.put(p.key(), p.value());
            }
        }
        return meta;
    }

    private static GripStatus parseStatus(String v) throws GripInstructException {
        if (v == null || v.isEmpty()) {
            return null;
        }
        int sp = v.indexOf(' ');
        String codeStr = sp >= 0 ? v.substring(0, sp) : v;
        String reason = sp >= 0 ? v.substring(sp + 1) : "";
        int code;
        try {
            code = Integer.parseInt(codeStr.trim());
        } catch (NumberFormatException ex) {
            code = -1;
        }
        if (code < 0 || code > 999) {
            throw new GripInstructException("Grip-Status: " + show(v) + " (expected: code 0-999, optional reason)");
        }
        return new GripStatus(code, reason.isEmpty() ? HttpStatusText.of(code) : reason);
    }

    private record Link(String uri, String rel, int timeout) {}

    private static Link parseLink(String element) throws GripInstructException {
        if (element.isEmpty()) {
            return null;
        }
        HeaderParams.Element e;
        try {
            e = HeaderParams.parseElement(element);
        } catch (HeaderParams.SyntaxException ex) {
            throw new GripInstructException("Grip-Link: " + show(element) + " (" + ex.getMessage() + ")");
        }
        if (e.params().isEmpty()) {
            return null; // no rel: nothing Pushpin acts on
        }
        String raw = e.value();
        if (raw.length() <= 2 || raw.charAt(0) != '<' || raw.charAt(raw.length() - 1) != '>') {
            throw new GripInstructException(
                    "Grip-Link: " + show(element) + " (expected: <uri>; rel=next or <uri>; rel=gone)");
        }
        String uri = raw.substring(1, raw.length() - 1);
        try {
            new URI(uri);
        } catch (URISyntaxException ex) {
            throw new GripInstructException("Grip-Link: " + show(uri) + " (invalid URI: " + ex.getReason() + ")");
        }
        String rel = e.get("rel");
        int timeout = NextLink.DEFAULT_TIMEOUT;
        if ("next".equals(rel)) {
            String t = e.get("timeout");
            if (t != null) {
                timeout = nonNegativeInt(t, "Grip-Link: timeout=" + show(t) + " (expected: integer >= 0)");
            }
        }
        return new Link(uri, rel, timeout);
    }

    private static int nonNegativeInt(String v, String error) throws GripInstructException {
        try {
            int i = Integer.parseInt(v.trim());
            if (i >= 0) {
                return i;
            }
        } catch (NumberFormatException ex) {
            // fall through to the error below
        }
        throw new GripInstructException(error);
    }

    // ---- application/grip-instruct

    private static final class JsonInstruct {
        HoldMode hold;
        List<GripChannel> channels = List.of();
        Integer timeout;
        boolean keepAliveSet;
        KeepAlive keepAlive;
        final Map<String, String> meta = new LinkedHashMap<>();
        InstructResponse response;
    }

    private static final String CT = "application/grip-instruct";

    private static JsonInstruct parseJson(int status, byte[] body, GripStatus gripStatus) throws GripInstructException {
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

    /** A JSON value described for an error message: the type, and the value when short. */
    static String kind(JsonNode n) {
        if (n == null || n.isMissingNode()) {
            return "empty";
        }
        if (n.isObject()) {
            return "an object";
        }
        if (n.isArray()) {
            return "an array";
        }
        return abbreviate(n.toString());
    }

    static String show(String v) {
        return "\"" + abbreviate(v) + "\"";
    }

    static String abbreviate(String v) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < v.length() && i < 80; i++) {
            char c = v.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                sb.append(String.format("\\x%02x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return v.length() > 80 ? sb + "..." : sb.toString();
    }
}
