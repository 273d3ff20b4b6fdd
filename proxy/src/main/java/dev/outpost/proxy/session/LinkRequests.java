package dev.outpost.proxy.session;

import dev.outpost.grip.instruct.GripLast;
import dev.outpost.origin.Endpoint;
import dev.outpost.origin.OriginClient;
import dev.outpost.proxy.hold.LinkSender;
import dev.outpost.proxy.route.Route;
import dev.outpost.proxy.route.RouteTable;
import dev.outpost.proxy.route.Target;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The requests a client connection's holds make on their own behalf ({@code Grip-Link} next and gone links): the
 * link's URL matched against the routes as a request would be (else sent to the link's own host), signed as the
 * route's requests are, sent to the real targets through {@code origin.OriginClient}, the built-in test origin
 * answering in their place when the targets before it all fail. No GRIP processing here: the hold reads the answer.
 */
final class LinkRequests implements LinkSender {
    private final ProxyContext px;
    private final EventLoop loop;

    /** Requests sent on {@code loop}, the client connection's. */
    LinkRequests(ProxyContext px, EventLoop loop) {
        this.px = px;
        this.loop = loop;
    }

    /** Where a link goes: the route it matches (null: none, the link's own host), its targets and request target. */
    private record Plan(Route route, List<Target> targets, String path, String host) {}

    private Plan plan(URI u) {
        String path = u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath();
        String query = u.getRawQuery() == null ? "" : "?" + u.getRawQuery();
        RouteTable table = px.routes();
        // an https link (a TLS client's relative link) matches the ssl=yes routes its request matched
        boolean tls = "https".equalsIgnoreCase(u.getScheme());
        Route r = table.isEmpty()
                ? RequestPlan.DEFAULT_ROUTE
                : RequestPlan.select(table, null, u.getHost(), path, tls).orElse(null);
        String authority = u.getRawAuthority();
        if (r != null) {
            String host = r.asHost() != null && !r.asHost().isEmpty() ? r.asHost() : authority;
            return new Plan(r, r.targets(), r.rewritePath(path) + query, host);
        }
        int port = u.getPort() > 0 ? u.getPort() : tls ? 443 : 80;
        return new Plan(
                null,
                List.of(new Target(Target.Kind.HOST, u.getHost(), port, false, tls, null, false, List.of())),
                path + query,
                authority);
    }

    @Override
    public OriginClient.Call send(HttpMethod method, URI link, Map<String, String> gripLast, OriginClient.Callback cb) {
        Plan plan = plan(link);
        HttpHeaders h = new DefaultHttpHeaders();
        h.set(HttpHeaderNames.HOST, plan.host());
        Route r = plan.route();
        if (r == null || !r.noGrip()) {
            RequestPlan.gripHeaders(px, h, r);
        }
        for (Map.Entry<String, String> e : gripLast.entrySet()) {
            h.add(GripLast.HEADER, GripLast.format(e.getKey(), e.getValue()));
        }
        OriginClient.Request request = new OriginClient.Request(
                method, plan.path(), h, MAX_BODY, px.limits().originResponseTimeout());
        return start(plan.targets(), request, cb);
    }

    private OriginClient.Call start(List<Target> targets, OriginClient.Request request, OriginClient.Callback cb) {
        List<Endpoint> endpoints = new ArrayList<>(targets.size());
        boolean test = false;
        for (Target t : targets) {
            if (t.kind() == Target.Kind.TEST) {
                test = true;
                break;
            }
            endpoints.add(t.endpoint());
        }
        if (endpoints.isEmpty()) {
            if (test) {
                testAnswer(request, cb);
            } else {
                cb.failed("no target");
            }
            return null;
        }
        if (!test) {
            return px.client().start(loop, endpoints, request, cb);
        }
        return px.client().start(loop, endpoints, request, new OriginClient.Callback() {
            @Override
            public void response(HttpResponse head, byte[] body) {
                cb.response(head, body);
            }

            @Override
            public void failed(String why) {
                testAnswer(request, cb);
            }
        });
    }

    private static void testAnswer(OriginClient.Request request, OriginClient.Callback cb) {
        TestTarget.Answer a = TestTarget.answer(request.uri());
        cb.response(a.head(), a.body());
    }
}
