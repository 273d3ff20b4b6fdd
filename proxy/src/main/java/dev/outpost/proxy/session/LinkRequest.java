package dev.outpost.proxy.session;

import dev.outpost.origin.Endpoint;
import dev.outpost.origin.OriginClient;
import dev.outpost.proxy.route.Target;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

/**
 * A request the proxy makes on its own behalf (a {@code Grip-Link} next or gone link) to a route's targets: the
 * real ones through the {@link OriginClient}, the built-in test origin answering in their place when the targets
 * before it all fail. No GRIP processing here: the caller reads the instructions.
 */
final class LinkRequest {
    private LinkRequest() {}

    /**
     * Starts {@code request} on {@code loop} (call on that loop). Returns the call in flight, to cancel it, or null
     * when the answer was given at once.
     */
    static OriginClient.Call start(
            ProxyContext px,
            EventLoop loop,
            List<Target> targets,
            OriginClient.Request request,
            OriginClient.Callback cb) {
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
