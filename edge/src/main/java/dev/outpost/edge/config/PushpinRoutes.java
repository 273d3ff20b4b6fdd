package dev.outpost.edge.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The GRIP proxy routes {@code serve} generates from {@code [local_server.backends]}, one per backend in file order,
 * in routes-file syntax, as the Fastly CLI writes them for Pushpin:
 * {@code id=<name>[,replace_beg=<path>] <host>:<port>,over_http[,ssl][,host=<override_host>]}.
 */
public final class PushpinRoutes {
    private PushpinRoutes() {}

    public static List<String> lines(Map<String, BackendConfig> backends) {
        List<String> out = new ArrayList<>();
        for (BackendConfig b : backends.values()) {
            out.add(line(b));
        }
        return out;
    }

    /** One backend's route line. */
    public static String line(BackendConfig b) {
        StringBuilder sb = new StringBuilder("id=").append(quoted(b.name()));
        String prefix = b.pathPrefix();
        if (!prefix.isEmpty()) {
            sb.append(",replace_beg=").append(quoted(prefix));
        }
        String host = b.url().getHost();
        sb.append(' ').append(host).append(':').append(b.port()).append(",over_http");
        if (b.tls()) {
            sb.append(",ssl");
        }
        String override = overrideHost(b);
        if (override != null) {
            sb.append(",host=").append(quoted(override));
        }
        return sb.toString();
    }

    /**
     * A prop value as the routes syntax reads it back: in quotes when it holds a separator (space, tab, comma),
     * the comment sign or a quote or backslash; otherwise as is, as the Fastly CLI writes it. A backend named
     * {@code my api} gave {@code id=my api ...}: a route whose first target is {@code api}, which serve refused.
     */
    static String quoted(String value) {
        boolean plain =
                value.chars().noneMatch(c -> c == ' ' || c == '\t' || c == ',' || c == '#' || c == '"' || c == '\\');
        if (plain) {
            return value;
        }
        return '"' + value.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    /**
     * The backend's {@code override_host}, or, when it has none and its URL names a host rather than an IP address,
     * the URL's {@code host[:port]} (the CLI fills it in to avoid surprises with name-based virtual hosts).
     */
    public static String overrideHost(BackendConfig b) {
        if (b.overrideHost() != null && !b.overrideHost().isEmpty()) {
            return b.overrideHost();
        }
        String host = b.url().getHost();
        if (host == null || isIpLiteral(host)) {
            return null;
        }
        return b.url().getPort() >= 0 ? host + ":" + b.url().getPort() : host;
    }

    static boolean isIpLiteral(String host) {
        if (host.startsWith("[") || host.contains(":")) {
            return true;
        }
        return host.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    }
}
