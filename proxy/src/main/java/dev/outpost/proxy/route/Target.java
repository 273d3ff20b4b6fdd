package dev.outpost.proxy.route;

import java.util.List;

/** One origin of a route (several = failover in order). */
public record Target(
        Kind kind,
        String host,
        int port,
        boolean overHttp,
        boolean ssl,
        String hostHeader,
        boolean insecure,
        List<String> subs) {

    public enum Kind {
        /** A real origin at host:port. */
        HOST,
        /** The built-in test origin. */
        TEST
    }

    public Target {
        subs = subs == null ? List.of() : List.copyOf(subs);
    }
}
