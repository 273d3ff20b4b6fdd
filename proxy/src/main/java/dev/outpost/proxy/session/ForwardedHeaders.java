package dev.outpost.proxy.session;

import dev.outpost.proxy.config.Forwarding;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.NetUtil;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The headers that tell an origin about the client's hop ({@code X-Forwarded-Proto}, {@code X-Forwarded-Protocol},
 * {@code X-Forwarded-For}, {@code CDN-Loop}), by the rules of {@link Forwarding}, as Pushpin's
 * {@code proxyutil.cpp} applies them to HTTP requests and WebSocket handshakes alike: after the route's own headers,
 * so a route header is subject to them too. Pure functions of their arguments.
 */
public final class ForwardedHeaders {
    private static final String XFP = "X-Forwarded-Proto";
    private static final String XFPL = "X-Forwarded-Protocol";
    private static final String XFF = "X-Forwarded-For";
    private static final String CDN_LOOP = "CDN-Loop";

    private ForwardedHeaders() {}

    /**
     * Whether the client counts as a TLS client: it came over TLS, or {@code accept_x_forwarded_protocol} is on and
     * its first {@code X-Forwarded-Proto} (or, without one, {@code X-Forwarded-Protocol}) is exactly {@code https}
     * or {@code wss}, as Pushpin's {@code engine.cpp} decides. Such a client matches {@code ssl=yes} routes, gets
     * the {@code https}/{@code wss} value and resolves relative links against {@code https}.
     */
    public static boolean secure(Forwarding f, boolean tls, HttpHeaders client) {
        if (tls) {
            return true;
        }
        if (!f.acceptProto()) {
            return false;
        }
        String v = client.get(XFP);
        if (v == null || v.isBlank()) {
            v = client.get(XFPL);
        }
        if (v == null) {
            return false;
        }
        v = v.strip();
        return v.equals("https") || v.equals("wss");
    }

    /**
     * Applies the rules to {@code h}, the origin's request headers (the client's, cleaned, with the route's).
     *
     * @param trusted      the client is a GRIP proxy in front ({@code upstream_key}): its {@code X-Forwarded-For}
     *                     rule is {@code x_forwarded_for_trusted}
     * @param secureScheme {@code https} or {@code wss} for a {@linkplain #secure secure} client, else null
     * @param peer         the client's address as text, or null when it has none (then nothing is appended)
     */
    public static void apply(HttpHeaders h, Forwarding f, boolean trusted, String secureScheme, String peer) {
        if (f.cdnLoop() != null) {
            List<String> loop = split(h.getAll(CDN_LOOP));
            loop.add(f.cdnLoop());
            h.set(CDN_LOOP, String.join(", ", loop));
        }
        if (f.acceptProto() || f.setProto().sets()) {
            h.remove(XFP);
            h.remove(XFPL);
        }
        if (f.setProto().sets() && secureScheme != null) {
            h.add(XFP, secureScheme);
            if (f.setProto() == Forwarding.SetProto.BOTH) {
                h.add(XFPL, secureScheme);
            }
        }
        Forwarding.XffRule rule = trusted ? f.trusted() : f.untrusted();
        if (!(rule.append() && peer != null) && !h.contains(XFF)) {
            // the common case, on every request: nothing to join, drop or add
            return;
        }
        List<String> xff = forwardedFor(split(h.getAll(XFF)), rule, peer);
        h.remove(XFF);
        if (!xff.isEmpty()) {
            h.add(XFF, String.join(", ", xff));
        }
    }

    /**
     * The {@code X-Forwarded-For} entries the origin gets: the last {@code truncate} of the client's (all when the
     * rule has none), then the client's address when the rule says {@code append} and there is one.
     */
    public static List<String> forwardedFor(List<String> entries, Forwarding.XffRule rule, String peer) {
        List<String> out = new ArrayList<>(entries.size() + 1);
        int from = rule.truncate() < 0 ? 0 : Math.max(entries.size() - rule.truncate(), 0);
        out.addAll(entries.subList(from, entries.size()));
        if (rule.append() && peer != null) {
            out.add(peer);
        }
        return out;
    }

    /**
     * Every element of the header's values, split at commas outside double quotes and trimmed, as Pushpin reads a
     * list header: an empty element between two commas is kept, a trailing comma adds none.
     */
    public static List<String> split(List<String> values) {
        List<String> out = new ArrayList<>(values.size() + 1);
        for (String v : values) {
            int pos = 0;
            while (pos < v.length()) {
                int end = commaOutsideQuotes(v, pos);
                if (end < 0) {
                    out.add(v.substring(pos).strip());
                    break;
                }
                out.add(v.substring(pos, end).strip());
                pos = end + 1;
            }
        }
        return out;
    }

    private static int commaOutsideQuotes(String v, int from) {
        boolean quoted = false;
        for (int i = from; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == '\\' && quoted) {
                i++;
            } else if (c == ',' && !quoted) {
                return i;
            }
        }
        return -1;
    }

    /** A socket address as {@code X-Forwarded-For} names it ({@code 192.0.2.1}, {@code 2001:db8::1}), or null. */
    public static String peer(SocketAddress a) {
        if (a instanceof InetSocketAddress i && i.getAddress() != null) {
            return NetUtil.toAddressString(i.getAddress());
        }
        return null;
    }
}
