package dev.outpost.proxy.route;

import java.util.List;
import java.util.Map;

/**
 * One line of a routes file: a condition and its targets.
 *
 * <ul>
 * <li>{@code domain}: exact host (compared case-insensitively), or null for {@code *}. When {@code hostless} is true
 *     the line named no host at all (e.g. {@code id=x,path_beg=/a target}): as in Pushpin such a route is reachable
 *     only through {@code Pushpin-Route}, never by host.</li>
 * <li>{@code pathBeg}, {@code proto}, {@code ssl}: null when not given.</li>
 * <li>{@code replaceBeg}: null when not given (an empty value strips {@code pathBeg}); see {@link #rewritePath}.</li>
 * <li>{@code prefix}: channel prefix, "" when not given.</li>
 * <li>{@code sigIss}, {@code sigKey}: null when not given. As in Pushpin they replace the global pair only when
 *     both are set ({@link #hasOwnSignature()}).</li>
 * <li>{@code headers}: {@code header=Name:Value} in line order, one per name (the first given, which is the one
 *     Pushpin ends up sending); each replaces the request header of that name, an empty value removes it.</li>
 * <li>{@code source}: {@code file:line} (for logs).</li>
 * <li>{@code asHost}, {@code pathRem}, {@code debug}, {@code autoCrossOrigin}, {@code session}, {@code origHeaders},
 *     {@code logLevel} (-1 = not given): parsed as Pushpin does; what they do is up to the proxy.</li>
 * <li>{@code notes}: human-readable remarks about props that were accepted but have no effect here (for logs).</li>
 * </ul>
 */
public record Route(
        String id,
        String domain,
        String pathBeg,
        Proto proto,
        Boolean ssl,
        String replaceBeg,
        String prefix,
        byte[] sigKey,
        String sigIss,
        boolean noGrip,
        List<Map.Entry<String, String>> headers,
        List<Target> targets,
        String source,
        boolean hostless,
        String asHost,
        int pathRem,
        boolean debug,
        boolean autoCrossOrigin,
        boolean session,
        boolean origHeaders,
        int logLevel,
        List<String> notes) {

    public Route {
        headers = headers == null
                ? List.of()
                : headers.stream().map(e -> Map.entry(e.getKey(), e.getValue())).toList();
        targets = targets == null ? List.of() : List.copyOf(targets);
        prefix = prefix == null ? "" : prefix;
        notes = notes == null ? List.of() : List.copyOf(notes);
        if (hostless) {
            domain = null;
        }
    }

    /** The fields of the original contract; everything else takes its "not given" value. */
    public Route(
            String id,
            String domain,
            String pathBeg,
            Proto proto,
            Boolean ssl,
            String replaceBeg,
            String prefix,
            byte[] sigKey,
            String sigIss,
            boolean noGrip,
            List<Map.Entry<String, String>> headers,
            List<Target> targets,
            String source) {
        this(
                id,
                domain,
                pathBeg,
                proto,
                ssl,
                replaceBeg,
                prefix,
                sigKey,
                sigIss,
                noGrip,
                headers,
                targets,
                source,
                false,
                null,
                0,
                false,
                false,
                false,
                false,
                -1,
                List.of());
    }

    /** True when this route's {@code sig_iss} and {@code sig_key} replace the global ones (Pushpin needs both). */
    public boolean hasOwnSignature() {
        return sigIss != null && !sigIss.isEmpty() && sigKey != null;
    }

    /**
     * The id {@code Pushpin-Route} selects this route by: the explicit {@code id}, else one derived from the condition
     * the way Pushpin derives it ({@code domain,proto,ssl,path_beg} with {@code *} for "any"; Pushpin spells
     * {@code ssl=yes} as {@code no-ssl} and {@code ssl=no} as {@code ssl}, kept for compatibility).
     */
    public String effectiveId() {
        if (id != null && !id.isEmpty()) {
            return id;
        }
        String d = domain == null ? "*" : domain;
        String p = proto == null ? "*" : proto == Proto.HTTP ? "http" : "ws";
        String s = ssl == null ? "*" : ssl ? "no-ssl" : "ssl";
        String b = pathBeg == null || pathBeg.isEmpty() ? "*" : pathBeg;
        return d + "," + p + "," + s + "," + b;
    }

    /**
     * The path to send to the origin, as Pushpin computes it: with {@code replace_beg} the first
     * {@code path_beg.length()} characters are replaced by {@code replaceBeg}; otherwise {@code path_rem} characters
     * are removed. {@code path} is the request path as received (percent-encoded, no query).
     */
    public String rewritePath(String path) {
        String p = path == null ? "" : path;
        int remove = replaceBeg != null ? (pathBeg == null ? 0 : pathBeg.length()) : pathRem;
        if (remove > 0) {
            p = remove >= p.length() ? "" : p.substring(remove);
        }
        if (replaceBeg != null && !replaceBeg.isEmpty()) {
            p = replaceBeg + p;
        }
        return p;
    }

    /** Whether the condition (proto, ssl, path_beg; not the host) accepts the request. */
    public boolean conditionMatches(String path, boolean websocket, boolean tls) {
        return (proto == null || (proto == Proto.WS) == websocket)
                && (ssl == null || ssl == tls)
                && (pathBeg == null || pathBeg.isEmpty() || (path != null && path.startsWith(pathBeg)));
    }
}
