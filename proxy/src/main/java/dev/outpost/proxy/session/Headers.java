package dev.outpost.proxy.session;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Header rules of the proxy hop, as Pushpin applies them ({@code proxy/proxyutil.cpp}, {@code proxysession.cpp}). */
final class Headers {
    /** What {@code Grip-Feature} advertises: only what this proxy implements. As bytes: it goes on every request. */
    static final AsciiString GRIP_FEATURES = AsciiString.cached("status, session, link:next, filter:skip-self, "
            + "filter:skip-users, filter:require-sub, filter:build-id, filter:var-subst");

    static final AsciiString GRIP_FEATURE = AsciiString.cached("Grip-Feature");
    static final AsciiString GRIP_SIG = AsciiString.cached("Grip-Sig");

    private Headers() {}

    static boolean isGrip(String name) {
        return name.regionMatches(true, 0, "Grip-", 0, 5);
    }

    /**
     * Meaningful for one hop only (RFC 9110 §7.6.1), never relayed: Connection, Keep-Alive, Proxy-Connection, TE,
     * Trailer, Transfer-Encoding, Upgrade. A switch rather than a set: it runs for every header of every message.
     */
    static boolean hopByHop(String n) {
        return switch (n.length()) {
            case 2 -> n.equalsIgnoreCase("TE");
            case 7 -> n.equalsIgnoreCase("Trailer") || n.equalsIgnoreCase("Upgrade");
            case 10 -> n.equalsIgnoreCase("Connection") || n.equalsIgnoreCase("Keep-Alive");
            case 16 -> n.equalsIgnoreCase("Proxy-Connection");
            case 17 -> n.equalsIgnoreCase("Transfer-Encoding");
            default -> false;
        };
    }

    /** Also dropped from client requests, as Pushpin does; Expect is answered here. */
    private static boolean requestDrop(String n) {
        return switch (n.length()) {
            case 6 -> n.equalsIgnoreCase("Expect");
            case 15 -> n.equalsIgnoreCase("Accept-Encoding");
            case 16 -> n.equalsIgnoreCase("Content-Encoding");
            default -> false;
        };
    }

    /** Names listed in {@code Connection} are hop-by-hop too. Usually one or none, so a list. */
    private static List<String> connectionTokens(HttpHeaders h) {
        List<String> all = h.getAll(HttpHeaderNames.CONNECTION);
        if (all.isEmpty()) {
            return List.of();
        }
        List<String> s = new ArrayList<>(2);
        for (String v : all) {
            int from = 0;
            while (from <= v.length()) {
                int comma = v.indexOf(',', from);
                int end = comma < 0 ? v.length() : comma;
                String n = v.substring(from, end).trim();
                if (!n.isEmpty()) {
                    s.add(n);
                }
                from = end + 1;
            }
        }
        return s;
    }

    private static boolean listed(List<String> tokens, String n) {
        for (int i = 0; i < tokens.size(); i++) {
            if (tokens.get(i).equalsIgnoreCase(n)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Request headers as the origin gets them, before route headers, signing, Host and the forwarding headers
     * ({@link ForwardedHeaders}).
     */
    static void cleanRequest(HttpHeaders in, HttpHeaders out, boolean dropPushpinRoute) {
        cleanRequest(in, out, dropPushpinRoute, false);
    }

    /** As above; {@code keepGrip} keeps {@code Grip-*} headers (a request from a trusted upstream proxy). */
    static void cleanRequest(HttpHeaders in, HttpHeaders out, boolean dropPushpinRoute, boolean keepGrip) {
        List<String> conn = connectionTokens(in);
        for (Map.Entry<String, String> e : in) {
            String n = e.getKey();
            boolean listed = listed(conn, n);
            // TE is hop-by-hop, but Pushpin 1.36 forwards it and origins may rely on it
            boolean te = !listed && n.equalsIgnoreCase("TE");
            if ((hopByHop(n) && !te)
                    || requestDrop(n)
                    || listed
                    || (isGrip(n) && !keepGrip)
                    || (dropPushpinRoute && n.equalsIgnoreCase("Pushpin-Route"))) {
                continue;
            }
            out.add(n, e.getValue());
        }
    }

    /** Response headers as the client gets them from a plain (non-GRIP) response, framing left to the caller. */
    static void cleanResponse(HttpHeaders h) {
        List<String> conn = connectionTokens(h);
        List<String> drop = null;
        for (Map.Entry<String, String> e : h) {
            String n = e.getKey();
            if (hopByHop(n) || listed(conn, n)) {
                if (drop == null) {
                    drop = new ArrayList<>(2);
                }
                drop.add(n);
            }
        }
        if (drop != null) {
            for (String n : drop) {
                h.remove(n);
            }
        }
    }

    /** The headers kept on a GRIP response: no {@code Grip-*}, no framing, no hop-by-hop. */
    static List<Map.Entry<String, String>> cleanGripResponse(
            List<Map.Entry<String, String>> in, List<String> exposeHeaders) {
        Set<String> expose = null;
        if (exposeHeaders != null) {
            expose = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
            expose.addAll(exposeHeaders);
        }
        List<Map.Entry<String, String>> out = new ArrayList<>();
        for (Map.Entry<String, String> e : in) {
            String n = e.getKey();
            String lower = n.toLowerCase(Locale.ROOT);
            if (isGrip(n)
                    || hopByHop(n)
                    || lower.equals("content-length")
                    || (expose != null && !expose.contains(n) && !lower.equals("content-type"))) {
                continue;
            }
            out.add(Map.entry(n, e.getValue()));
        }
        return out;
    }

    static List<Map.Entry<String, String>> list(HttpHeaders h) {
        List<Map.Entry<String, String>> out = new ArrayList<>(h.size());
        for (Map.Entry<String, String> e : h) {
            out.add(Map.entry(e.getKey(), e.getValue()));
        }
        return out;
    }
}
