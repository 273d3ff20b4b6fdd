package dev.outpost.proxy.route;

import java.util.IdentityHashMap;
import java.util.Map;

/**
 * One {@link RouteSigner} per route of a table, made when the table is loaded, and the configuration's own for
 * requests that have no route (the built-in default route, next links to hosts no route names). Immutable.
 */
public final class RouteSigners {
    private final Map<Route, RouteSigner> byRoute;
    private final String iss;
    private final byte[] key;
    private final RouteSigner fallback;

    private RouteSigners(Map<Route, RouteSigner> byRoute, String iss, byte[] key) {
        this.byRoute = byRoute;
        this.iss = iss;
        this.key = key;
        this.fallback = RouteSigner.of(iss, key);
    }

    /** Signers for {@code table}'s routes, with the configuration's issuer and key as each one's fallback. */
    public static RouteSigners of(RouteTable table, String iss, byte[] key) {
        Map<Route, RouteSigner> m = new IdentityHashMap<>();
        for (Route r : table.routes()) {
            if (r.sigIss() != null || r.sigKey() != null) {
                m.put(r, RouteSigner.forRoute(r, iss, key));
            }
        }
        return new RouteSigners(m, iss, key);
    }

    /**
     * {@code route}'s signer; the configuration's for null and for routes that name no issuer or key. A route of an older table (a request that began before
     * a reload) gets a signer of its own, uncached.
     */
    public RouteSigner of(Route route) {
        if (route == null || (route.sigIss() == null && route.sigKey() == null)) {
            return fallback;
        }
        RouteSigner s = byRoute.get(route);
        return s != null ? s : RouteSigner.forRoute(route, iss, key);
    }
}
