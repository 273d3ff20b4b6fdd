package dev.outpost.proxy.route;

import java.util.List;
import java.util.Map;

/** One line of a routes file: a condition and its targets. */
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
        String source) {

    public Route {
        headers = headers == null ? List.of() : List.copyOf(headers);
        targets = targets == null ? List.of() : List.copyOf(targets);
    }
}
