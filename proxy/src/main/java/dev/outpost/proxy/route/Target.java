package dev.outpost.proxy.route;

import dev.outpost.origin.Endpoint;
import java.util.List;

/**
 * One origin of a route (several = failover in order). For {@link Kind#TEST} host is null and port 0.
 * {@code hostHeader} (target prop {@code host=}) replaces the Host header and the TLS server name; {@code subs} are
 * channels every request through this target is subscribed to. {@code untrusted}, {@code trustConnectHost} and
 * {@code oneEvent} are kept as Pushpin's props say; what they do is up to the proxy.
 */
public record Target(
        Kind kind,
        String host,
        int port,
        boolean overHttp,
        boolean ssl,
        String hostHeader,
        boolean insecure,
        List<String> subs,
        boolean untrusted,
        boolean trustConnectHost,
        boolean oneEvent) {

    public enum Kind {
        /** A real origin at host:port. */
        HOST,
        /** The built-in test origin. */
        TEST
    }

    public Target {
        subs = subs == null ? List.of() : List.copyOf(subs);
    }

    public Target(
            Kind kind,
            String host,
            int port,
            boolean overHttp,
            boolean ssl,
            String hostHeader,
            boolean insecure,
            List<String> subs) {
        this(kind, host, port, overHttp, ssl, hostHeader, insecure, subs, false, false, false);
    }

    /** A plain HTTP origin without props. */
    public static Target host(String host, int port) {
        return new Target(Kind.HOST, host, port, false, false, null, false, List.of());
    }

    /** The built-in test origin. */
    public static Target test() {
        return new Target(Kind.TEST, null, 0, false, false, null, false, List.of());
    }

    /** {@code host:port}, {@code [v6]:port} or {@code test}. */
    public String address() {
        if (kind == Kind.TEST) {
            return "test";
        }
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    /**
     * Where a {@link Kind#HOST} target is reached: its host (no brackets), port, TLS and trust; the TLS server name
     * is {@code host=}'s name when given, else the host.
     */
    public Endpoint endpoint() {
        String h = Endpoint.unbracket(host);
        String sni = hostHeader == null ? h : hostHeader.isBlank() ? "localhost" : Endpoint.hostOnly(hostHeader);
        return new Endpoint(h, port, ssl, sni, insecure);
    }
}
