package dev.outpost.proxy.session;

import io.netty.handler.codec.http.HttpHeaders;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Header rules of the proxy hop, as Pushpin applies them ({@code proxy/proxyutil.cpp}, {@code proxysession.cpp}). */
final class Headers {
    /** What {@code Grip-Feature} advertises: only what this proxy implements. */
    static final String GRIP_FEATURES = "status, session, link:next, filter:skip-self, filter:skip-users, "
            + "filter:require-sub, filter:build-id, filter:var-subst";

    /** Meaningful for one hop only (RFC 9110 §7.6.1), never relayed. */
    private static final Set<String> HOP_BY_HOP = ci("Connection", "Keep-Alive", "Proxy-Connection", "TE", "Trailer",
            "Transfer-Encoding", "Upgrade");
    /** Also dropped from client requests, as Pushpin does; Expect is answered here. */
    private static final Set<String> REQUEST_DROP = ci("Accept-Encoding", "Content-Encoding", "Expect",
            "X-Forwarded-Proto", "X-Forwarded-Protocol");

    private Headers() {
    }

    private static Set<String> ci(String... names) {
        Set<String> s = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        s.addAll(List.of(names));
        return s;
    }

    static boolean isGrip(String name) {
        return name.regionMatches(true, 0, "Grip-", 0, 5);
    }

    /** Names listed in {@code Connection} are hop-by-hop too. */
    private static Set<String> connectionTokens(HttpHeaders h) {
        Set<String> s = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        for (String v : h.getAll("Connection")) {
            for (String t : v.split(",")) {
                String n = t.trim();
                if (!n.isEmpty()) {
                    s.add(n);
                }
            }
        }
        return s;
    }

    /** Request headers as the origin gets them, before route headers, signing and Host. */
    static void cleanRequest(HttpHeaders in, HttpHeaders out, boolean dropPushpinRoute) {
        Set<String> conn = connectionTokens(in);
        List<String> xff = new ArrayList<>();
        for (Map.Entry<String, String> e : in) {
            String n = e.getKey();
            // TE is hop-by-hop, but Pushpin 1.36 forwards it and origins may rely on it
            boolean te = n.equalsIgnoreCase("TE") && !conn.contains(n);
            if ((HOP_BY_HOP.contains(n) && !te) || REQUEST_DROP.contains(n) || conn.contains(n) || isGrip(n)
                    || (dropPushpinRoute && n.equalsIgnoreCase("Pushpin-Route"))) {
                continue;
            }
            if (n.equalsIgnoreCase("X-Forwarded-For")) {
                xff.add(e.getValue());
                continue;
            }
            out.add(n, e.getValue());
        }
        if (!xff.isEmpty()) {
            out.add("X-Forwarded-For", String.join(", ", xff));
        }
    }

    /** Response headers as the client gets them from a plain (non-GRIP) response, framing left to the caller. */
    static void cleanResponse(HttpHeaders in, HttpHeaders out) {
        Set<String> conn = connectionTokens(in);
        for (Map.Entry<String, String> e : in) {
            String n = e.getKey();
            if (HOP_BY_HOP.contains(n) || conn.contains(n)) {
                continue;
            }
            out.add(n, e.getValue());
        }
    }

    /** The headers kept on a GRIP response: no {@code Grip-*}, no framing, no hop-by-hop. */
    static List<Map.Entry<String, String>> cleanGripResponse(List<Map.Entry<String, String>> in,
            List<String> exposeHeaders) {
        Set<String> expose = null;
        if (exposeHeaders != null) {
            expose = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
            expose.addAll(exposeHeaders);
        }
        List<Map.Entry<String, String>> out = new ArrayList<>();
        for (Map.Entry<String, String> e : in) {
            String n = e.getKey();
            String lower = n.toLowerCase(Locale.ROOT);
            if (isGrip(n) || HOP_BY_HOP.contains(n) || lower.equals("content-length")
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
