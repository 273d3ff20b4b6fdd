package dev.outpost.grip.instruct;

import static dev.outpost.grip.instruct.InstructText.show;

import dev.outpost.grip.HttpStatusText;
import dev.outpost.grip.internal.Base64s;
import dev.outpost.grip.internal.HeaderText;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Each {@code Grip-*} response header's value as a value: {@code Grip-Hold}, {@code Grip-Channel},
 * {@code Grip-Timeout}, {@code Grip-Expose-Headers}, {@code Grip-Keep-Alive}, {@code Grip-Set-Meta},
 * {@code Grip-Status} and {@code Grip-Link}, in Pushpin's header syntax ({@link HeaderParams}). A bad value is a
 * {@link GripInstructException} naming the header and the value.
 */
final class InstructHeaders {

    private InstructHeaders() {}

    static HoldMode parseHold(String v) throws GripInstructException {
        if (v == null) {
            return null;
        }
        return switch (v.trim()) {
            case "response" -> HoldMode.RESPONSE;
            case "stream" -> HoldMode.STREAM;
            default -> throw new GripInstructException("Grip-Hold: " + show(v) + " (expected: response or stream)");
        };
    }

    static List<GripChannel> parseChannels(List<String> elements) throws GripInstructException {
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
            if (filters.size() > GripInstructParser.MAX_FILTERS) {
                throw new GripInstructException("Grip-Channel: " + show(element) + " (too many filters: "
                        + filters.size() + ", expected: at most " + GripInstructParser.MAX_FILTERS + ")");
            }
            out.add(new GripChannel(e.value(), e.get("prev-id"), filters));
        }
        return out;
    }

    static int parseTimeout(String v) throws GripInstructException {
        if (v == null) {
            return GripInstruct.DEFAULT_TIMEOUT;
        }
        return nonNegativeInt(v, "Grip-Timeout: " + show(v) + " (expected: integer >= 0)");
    }

    static List<String> parseExpose(List<String> names) {
        List<String> out = new ArrayList<>();
        for (String n : names) {
            if (!n.isEmpty()) {
                out.add(n);
            }
        }
        return out.isEmpty() ? null : out;
    }

    static KeepAlive parseKeepAlive(String v) throws GripInstructException {
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

    static Map<String, String> parseMeta(List<String> elements) throws GripInstructException {
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

    static GripStatus parseStatus(String v) throws GripInstructException {
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

    record Link(String uri, String rel, int timeout) {}

    static Link parseLink(String element) throws GripInstructException {
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

    static int nonNegativeInt(String v, String error) throws GripInstructException {
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
}
