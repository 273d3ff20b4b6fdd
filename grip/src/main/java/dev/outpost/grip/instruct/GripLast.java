package dev.outpost.grip.instruct;

import dev.outpost.grip.internal.HeaderText;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code Grip-Last} request header ({@code channel; last-id=ID}, one per channel) that tells the origin the
 * last item ID seen on each channel when the proxy re-requests it (next link, retry, recovery).
 */
public final class GripLast {
    public static final String HEADER = "Grip-Last";

    private GripLast() {}

    /**
     * One header value. The ID is quoted only when it would not survive the parameter syntax bare. The result is
     * text; a caller writing it to the wire encodes non-ASCII characters as UTF-8.
     */
    public static String format(String channel, String lastId) {
        return channel + "; last-id=" + (needsQuotes(lastId) ? quote(lastId) : lastId);
    }

    /**
     * Channel to last ID from all {@code Grip-Last} headers, in order; elements that do not parse or lack
     * {@code last-id} are skipped.
     */
    public static Map<String, String> parse(List<Map.Entry<String, String>> headers) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String element : HeaderParams.values(headers, HEADER, true)) {
            try {
                HeaderParams.Element e = HeaderParams.parseElement(HeaderText.text(element));
                String id = e.get("last-id");
                if (!e.value().isEmpty() && id != null) {
                    out.put(e.value(), id);
                }
            } catch (HeaderParams.SyntaxException ex) {
                // a malformed element says nothing usable; the others still count
            }
        }
        return out;
    }

    private static boolean needsQuotes(String s) {
        if (s.isEmpty() || !s.equals(s.trim())) {
            return true;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == ';' || c == ',' || c == '"' || c == '\\') {
                return true;
            }
        }
        return false;
    }

    private static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\');
            }
            sb.append(c);
        }
        return sb.append('"').toString();
    }
}
