package dev.outpost.proxy.ws;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Header rules of the WebSocket hop (Pushpin's {@code wsproxysession.cpp}, {@code websocketoverhttp.cpp}). */
final class WsHeaders {
    static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    private static final Set<String> HOP_BY_HOP =
            ci("Connection", "Keep-Alive", "Proxy-Connection", "TE", "Trailer", "Transfer-Encoding", "Upgrade");
    /** Never passed on from the client's handshake to an origin. */
    private static final Set<String> REQUEST_DROP =
            ci("Accept-Encoding", "Content-Encoding", "Expect", "Sec-WebSocket-Extensions", "Content-Length");
    /** Set by the proxy on the origin's 101 or not meaningful to the client. */
    private static final Set<String> RESPONSE_DROP = ci(
            "Sec-WebSocket-Extensions",
            "Sec-WebSocket-Accept",
            "Content-Length",
            "Content-Type",
            "Keep-Alive-Interval");

    private WsHeaders() {}

    private static Set<String> ci(String... names) {
        Set<String> s = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        s.addAll(List.of(names));
        return s;
    }

    /** RFC 6455 §4.2.2: the accept value for a client key. */
    static String accept(String key) {
        try {
            byte[] d =
                    MessageDigest.getInstance("SHA-1").digest((key.trim() + GUID).getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static boolean isUpgrade(HttpHeaders h) {
        for (String v : h.getAll("Upgrade")) {
            for (String t : v.split(",")) {
                if (t.trim().equalsIgnoreCase("websocket")) {
                    return true;
                }
            }
        }
        return false;
    }

    private static Set<String> connectionTokens(HttpHeaders h) {
        Set<String> s = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        for (String v : h.getAll("Connection")) {
            for (String t : v.split(",")) {
                if (!t.trim().isEmpty()) {
                    s.add(t.trim());
                }
            }
        }
        return s;
    }

    /**
     * The client's handshake headers as an origin gets them (before route headers, Host, signing and the forwarding
     * headers of {@code ForwardedHeaders}).
     */
    static HttpHeaders cleanRequest(HttpHeaders in, boolean dropPushpinRoute) {
        return cleanRequest(in, dropPushpinRoute, false);
    }

    /** As above; {@code keepGrip} keeps {@code Grip-*} headers (a handshake from a trusted upstream proxy). */
    static HttpHeaders cleanRequest(HttpHeaders in, boolean dropPushpinRoute, boolean keepGrip) {
        HttpHeaders out = new DefaultHttpHeaders();
        Set<String> conn = connectionTokens(in);
        for (Map.Entry<String, String> e : in) {
            String n = e.getKey();
            if (HOP_BY_HOP.contains(n)
                    || REQUEST_DROP.contains(n)
                    || conn.contains(n)
                    || (!keepGrip && n.regionMatches(true, 0, "Grip-", 0, 5))
                    || (dropPushpinRoute && n.equalsIgnoreCase("Pushpin-Route"))) {
                continue;
            }
            out.add(n, e.getValue());
        }
        return out;
    }

    /** The origin's 101 (or WebSocket-over-HTTP OPEN answer) headers as the client's 101 carries them. */
    static HttpHeaders cleanOpenResponse(HttpHeaders in) {
        HttpHeaders out = new DefaultHttpHeaders();
        Set<String> conn = connectionTokens(in);
        for (Map.Entry<String, String> e : in) {
            String n = e.getKey();
            if (HOP_BY_HOP.contains(n)
                    || RESPONSE_DROP.contains(n)
                    || conn.contains(n)
                    || n.regionMatches(true, 0, "Set-Meta-", 0, 9)) {
                continue;
            }
            out.add(n, e.getValue());
        }
        return out;
    }

    /** A rejected handshake's headers for the client: no framing, no hop-by-hop. */
    static HttpHeaders cleanRejection(HttpHeaders in) {
        HttpHeaders out = new DefaultHttpHeaders();
        Set<String> conn = connectionTokens(in);
        for (Map.Entry<String, String> e : in) {
            String n = e.getKey();
            if (HOP_BY_HOP.contains(n)
                    || conn.contains(n)
                    || n.equalsIgnoreCase("Content-Length")
                    || n.equalsIgnoreCase("Keep-Alive-Interval")
                    || n.regionMatches(true, 0, "Set-Meta-", 0, 9)) {
                continue;
            }
            out.add(n, e.getValue());
        }
        return out;
    }

    /** The {@code grip} extension of a {@code Sec-WebSocket-Extensions} header as written, or null when absent. */
    static String gripExtension(HttpHeaders h) {
        for (String v : h.getAll("Sec-WebSocket-Extensions")) {
            for (String ext : splitOutsideQuotes(v, ',')) {
                List<String> parts = splitOutsideQuotes(ext, ';');
                if (!parts.isEmpty() && parts.get(0).trim().equalsIgnoreCase("grip")) {
                    return ext.trim();
                }
            }
        }
        return null;
    }

    /**
     * The {@code grip} extension of a {@code Sec-WebSocket-Extensions} header: null when absent, otherwise its
     * {@code message-prefix} ("m:" when not given).
     */
    static String gripPrefix(HttpHeaders h) {
        for (String v : h.getAll("Sec-WebSocket-Extensions")) {
            for (String ext : splitOutsideQuotes(v, ',')) {
                List<String> parts = splitOutsideQuotes(ext, ';');
                if (parts.isEmpty() || !parts.get(0).trim().equalsIgnoreCase("grip")) {
                    continue;
                }
                for (int i = 1; i < parts.size(); i++) {
                    String p = parts.get(i).trim();
                    int eq = p.indexOf('=');
                    String k = (eq < 0 ? p : p.substring(0, eq)).trim().toLowerCase(Locale.ROOT);
                    if (k.equals("message-prefix")) {
                        return eq < 0 ? "" : unquote(p.substring(eq + 1).trim());
                    }
                }
                return "m:";
            }
        }
        return null;
    }

    private static String unquote(String v) {
        if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
            StringBuilder sb = new StringBuilder();
            for (int i = 1; i < v.length() - 1; i++) {
                char c = v.charAt(i);
                if (c == '\\' && i + 1 < v.length() - 1) {
                    c = v.charAt(++i);
                }
                sb.append(c);
            }
            return sb.toString();
        }
        return v;
    }

    private static List<String> splitOutsideQuotes(String s, char sep) {
        List<String> out = new ArrayList<>();
        boolean q = false;
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && q) {
                i++;
            } else if (c == '"') {
                q = !q;
            } else if (c == sep && !q) {
                out.add(s.substring(start, i));
                start = i + 1;
            }
        }
        out.add(s.substring(start));
        return out;
    }

    /** {@code Keep-Alive-Interval} as Pushpin reads it: an integer >= 1, raised to 20; anything else turns it off. */
    static int keepAliveInterval(String v) {
        if (v == null) {
            return -1;
        }
        try {
            int x = Integer.parseInt(v.trim());
            return x > 0 ? Math.max(x, WohLeg.MIN_KEEP_ALIVE_SECONDS) : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    static String contentTypeBase(String v) {
        if (v == null) {
            return "";
        }
        int semi = v.indexOf(';');
        return (semi >= 0 ? v.substring(0, semi) : v).trim().toLowerCase(Locale.ROOT);
    }

    /**
     * A close frame that can go on the wire: a code a WebSocket may send (RFC 6455 §7.4: 1000-1003, 1007-1014,
     * 3000-4999) with its reason cut to the 123 bytes a close frame holds; any other code (say, 999 or 1005 passed on
     * from an origin) gives a close without code, which is still a close.
     */
    static CloseWebSocketFrame closeFrame(int code, String reason) {
        boolean sendable =
                (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
        if (!sendable) {
            return new CloseWebSocketFrame();
        }
        return new CloseWebSocketFrame(code, clip(reason == null ? "" : reason, 123));
    }

    /** {@code s} cut to at most {@code max} bytes of UTF-8, at a character boundary. */
    static String clip(String s, int max) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length <= max) {
            return s;
        }
        int n = max;
        // back off continuation bytes (10xxxxxx) to the start of the character that did not fit
        while (n > 0 && (b[n] & 0xC0) == 0x80) {
            n--;
        }
        return new String(b, 0, n, StandardCharsets.UTF_8);
    }
}
