package dev.outpost.proxy.route;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * An immutable set of routes that picks one route per request the way Pushpin's domain map does:
 * <ol>
 * <li>If some route names the request's host exactly, only those routes are candidates; otherwise only the {@code *}
 *     routes are. (There is no fall-back from a host's routes to {@code *}.)</li>
 * <li>Among candidates whose proto, ssl and path_beg accept the request, the best is found by going through them in
 *     line order and replacing the best so far when the next one has a proto and the best has not, or (with equal
 *     proto specificity) a longer path_beg, or an ssl condition where the best has none.</li>
 * </ol>
 * For normal files the result does not depend on line order; it can only for a pair like {@code path_beg=/a} vs
 * {@code ssl=yes} (neither beats the other on all counts), where the later line wins, as in Pushpin.
 * A later route with the same host, proto, ssl and path_beg as an earlier one is dropped (Pushpin skips duplicates).
 */
public final class RouteTable {
    private static final Route SHARED =
            new Route(null, null, null, null, null, null, null, null, null, false, List.of(), List.of(), "(shared id)");

    private final List<Route> routes;
    private final Map<String, List<Route>> byDomain;
    private final Map<String, Route> byId;

    private RouteTable(List<Route> routes, Map<String, List<Route>> byDomain, Map<String, Route> byId) {
        this.routes = List.copyOf(routes);
        this.byDomain = byDomain;
        this.byId = byId;
    }

    public static RouteTable of(List<Route> routes) {
        return of(routes, s -> {});
    }

    /** Like {@link #of(List)}; dropped duplicates and ids used twice are reported through {@code warn}. */
    public static RouteTable of(List<Route> routes, Consumer<String> warn) {
        List<Route> kept = new ArrayList<>();
        Map<String, List<Route>> byDomain = new HashMap<>();
        Map<String, Route> byId = new HashMap<>();
        for (Route r : routes) {
            if (!r.hostless()) {
                String key = domainKey(r.domain());
                List<Route> same = byDomain.computeIfAbsent(key, k -> new ArrayList<>());
                Route dup = same.stream()
                        .filter(o -> sameCondition(o, r))
                        .findFirst()
                        .orElse(null);
                if (dup != null) {
                    warn.accept(r.source() + ": skipping duplicate condition (same as " + dup.source() + ")");
                    continue;
                }
                same.add(r);
            }
            String id = r.effectiveId();
            Route prev = byId.putIfAbsent(id, r);
            if (prev != null && prev != SHARED) {
                warn.accept(r.source() + ": route id " + id + " is also used by " + prev.source()
                        + "; Pushpin-Route cannot select either");
                byId.put(id, SHARED);
            }
            kept.add(r);
        }
        Map<String, List<Route>> frozen = new LinkedHashMap<>();
        byDomain.forEach((k, v) -> frozen.put(k, List.copyOf(v)));
        return new RouteTable(kept, Map.copyOf(frozen), Map.copyOf(byId));
    }

    private static String domainKey(String domain) {
        return domain == null ? "" : domain.toLowerCase(Locale.ROOT);
    }

    private static boolean sameCondition(Route a, Route b) {
        return a.proto() == b.proto()
                && Objects.equals(a.ssl(), b.ssl())
                && Objects.equals(emptyToNull(a.pathBeg()), emptyToNull(b.pathBeg()));
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    /**
     * The route for a request.
     *
     * @param host      request host without port (case does not matter)
     * @param path      request path as received (percent-encoded), without the query
     * @param websocket whether it is a WebSocket upgrade
     * @param tls       whether the client connection is TLS
     */
    public Optional<Route> match(String host, String path, boolean websocket, boolean tls) {
        String key = host == null ? "" : host.toLowerCase(Locale.ROOT);
        List<Route> candidates = byDomain.get(key);
        if (candidates == null) {
            candidates = byDomain.get("");
        }
        if (candidates == null) {
            return Optional.empty();
        }
        Route best = null;
        for (Route r : candidates) {
            if (!r.conditionMatches(path, websocket, tls)) {
                continue;
            }
            if (best == null || moreSpecific(r, best)) {
                best = r;
            }
        }
        return Optional.ofNullable(best);
    }

    /** Pushpin's tie-break between two routes that both accept the request. */
    private static boolean moreSpecific(Route r, Route best) {
        if (best.proto() == null && r.proto() != null) {
            return true;
        }
        if (best.proto() != null && r.proto() == null) {
            return false;
        }
        if (length(r.pathBeg()) > length(best.pathBeg())) {
            return true;
        }
        return best.ssl() == null && r.ssl() != null;
    }

    private static int length(String s) {
        return s == null ? 0 : s.length();
    }

    /**
     * The route whose {@link Route#effectiveId()} is {@code id}; empty when there is none or when the id is shared by
     * several routes ({@link #isIdShared}).
     */
    public Optional<Route> byId(String id) {
        Route r = id == null ? null : byId.get(id);
        return r == null || r == SHARED ? Optional.empty() : Optional.of(r);
    }

    /** Whether several routes have this id (Pushpin then ignores {@code Pushpin-Route} and matches by host). */
    public boolean isIdShared(String id) {
        return id != null && byId.get(id) == SHARED;
    }

    /**
     * Route selection as Pushpin does it with {@code accept_pushpin_route} on: a non-empty {@code pushpinRoute} header
     * value selects by id (an unknown id gives no route, it does not fall back to host matching) unless the id is
     * shared; otherwise {@link #match}. Pass null when the header is absent or not accepted.
     */
    public Optional<Route> select(String pushpinRoute, String host, String path, boolean websocket, boolean tls) {
        if (pushpinRoute != null && !pushpinRoute.isEmpty() && !isIdShared(pushpinRoute)) {
            return byId(pushpinRoute);
        }
        return match(host, path, websocket, tls);
    }

    public boolean isEmpty() {
        return routes.isEmpty();
    }

    /** The routes kept, in line order. */
    public List<Route> routes() {
        return routes;
    }
}
