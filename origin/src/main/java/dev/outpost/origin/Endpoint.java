package dev.outpost.origin;

/**
 * Where and how to connect: the pool key. {@code host} is a name or an IP literal without brackets; {@code
 * serverName} is the TLS server name sent and the name the certificate must match (usually the host); {@code
 * insecure} accepts any certificate.
 */
public record Endpoint(String host, int port, boolean tls, String serverName, boolean insecure) {

    /** A plain or TLS endpoint whose server name is its host. */
    public static Endpoint of(String host, int port, boolean tls) {
        String h = unbracket(host);
        return new Endpoint(h, port, tls, h, false);
    }

    /** {@code host:port}, an IPv6 literal in brackets: how error messages and Host headers name it. */
    public String address() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }

    /** An IPv6 literal's brackets removed; anything else unchanged. */
    public static String unbracket(String host) {
        if (host != null && host.startsWith("[") && host.endsWith("]")) {
            return host.substring(1, host.length() - 1);
        }
        return host;
    }

    /** The name of a {@code Host} header without its port; IPv6 literals lose their brackets. */
    public static String hostOnly(String hostHeader) {
        String h = hostHeader.trim();
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            return end > 0 ? h.substring(1, end) : h;
        }
        int colon = h.indexOf(':');
        return colon >= 0 ? h.substring(0, colon) : h;
    }
}
