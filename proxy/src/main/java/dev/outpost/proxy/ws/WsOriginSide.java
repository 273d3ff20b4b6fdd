package dev.outpost.proxy.ws;

import dev.outpost.proxy.route.Route;
import dev.outpost.proxy.route.Target;
import dev.outpost.proxy.session.ForwardedHeaders;
import dev.outpost.proxy.session.ProxyContext;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The origin side of a WebSocket session: the route's targets in turn (failover while opening), the handshake headers
 * each gets, the {@link OriginLeg} of the current one, and whether that leg still carries messages (not done, not
 * detached by a {@code detach} control message). Only the current leg is heard: one left behind by failover is not.
 * Runs on the client's event loop.
 */
final class WsOriginSide {
    private static final Logger log = LoggerFactory.getLogger(WsOriginSide.class);

    private final ProxyContext px;
    private final Route route;
    private final String uri;
    private final String cid;
    private final boolean passToUpstream;
    /** The client's handshake headers as every target gets them (before its own {@code Host}), forwarding applied. */
    private final HttpHeaders originHeaders;

    private final ArrayDeque<Target> targets = new ArrayDeque<>();
    private final List<String> tried = new ArrayList<>();
    private final OriginLeg.Listener listener;
    /** True once the session has ended: nothing is heard from a leg then. */
    private final BooleanSupplier ended;

    private Target target;
    private OriginLeg leg;
    private boolean legDone;
    private boolean detached;

    /**
     * @param passToUpstream the handshake came from a trusted upstream proxy ({@code upstream_key})
     * @param listener       hears the current leg (the session)
     * @param ended          whether the session has ended
     */
    WsOriginSide(
            ProxyContext px,
            Route route,
            WsSession.Handshake handshake,
            String cid,
            boolean passToUpstream,
            OriginLeg.Listener listener,
            BooleanSupplier ended) {
        this.px = px;
        this.route = route;
        this.uri = handshake.uri();
        this.cid = cid;
        this.passToUpstream = passToUpstream;
        this.listener = listener;
        this.ended = ended;
        this.targets.addAll(route.targets());
        HttpRequest req = handshake.req();
        this.originHeaders = WsHeaders.cleanRequest(req.headers(), px.config().acceptPushpinRoute(), passToUpstream);
        if (route.asHost() != null && !route.asHost().isEmpty()) {
            originHeaders.set("Host", route.asHost());
        }
        for (Map.Entry<String, String> h : route.headers()) {
            originHeaders.remove(h.getKey());
            if (h.getValue() != null && !h.getValue().isEmpty()) {
                originHeaders.add(h.getKey(), h.getValue());
            }
        }
        // once per session: every WebSocket-over-HTTP request carries the same (Pushpin 1.36 applied the rules
        // again on each, appending the client's address once more every time; 1.37 fixed that)
        ForwardedHeaders.apply(
                originHeaders, px.forwarding(), passToUpstream, handshake.secure() ? "wss" : null, handshake.peer());
    }

    /** The {@code X-Forwarded-For} the origin gets, or null. */
    String forwardedFor() {
        return originHeaders.get("X-Forwarded-For");
    }

    String gripSig() {
        if (route.noGrip() || passToUpstream) {
            // a trusted upstream's own Grip-Sig goes on instead
            return null;
        }
        CharSequence token = px.signer(route).sign();
        return token == null ? null : token.toString();
    }

    /** Starts a leg to the next target; false when none is left ({@link #tried()} says which were). */
    boolean connectNext(EventLoop loop) {
        target = targets.poll();
        if (target == null) {
            return false;
        }
        tried.add(target.address());
        legDone = false;
        Events events = new Events();
        leg = newLeg(loop, events);
        events.leg = leg;
        leg.start();
        return true;
    }

    private OriginLeg newLeg(EventLoop loop, OriginLeg.Listener events) {
        if (target.kind() == Target.Kind.TEST) {
            return new TestLeg(loop, uri, events);
        }
        HttpHeaders h = originHeaders.copy();
        if (target.hostHeader() != null) {
            h.set("Host", target.hostHeader());
        } else if (!h.contains("Host")) {
            h.set("Host", target.address());
        }
        if (!target.overHttp() && !route.noGrip()) {
            h.set("Sec-WebSocket-Extensions", "grip");
            String sig = gripSig();
            if (sig != null) {
                h.set("Grip-Sig", sig);
            }
        }
        LegSetup setup =
                new LegSetup(loop, px.connector(), target, uri, h, this::gripSig, !route.noGrip(), cid, px.limits());
        return target.overHttp() ? new WohLeg(setup, events) : new WsOriginLeg(setup, events);
    }

    /** The target of the current leg (null before the first). */
    Target target() {
        return target;
    }

    /** The targets tried so far, by address. */
    List<String> tried() {
        return tried;
    }

    /** Whether the leg carries messages: started, not done, not detached. */
    boolean live() {
        return leg != null && !legDone && !detached;
    }

    boolean detached() {
        return detached;
    }

    /** Sends one client message to the origin, or drops it when the leg does not carry messages. */
    void send(Msg m) {
        if (live()) {
            leg.send(m);
        }
    }

    /** Starts a clean close with the origin while the leg carries messages. */
    void close(int code, String reason) {
        if (live()) {
            leg.close(code, reason);
        }
    }

    /**
     * The client's reply to a close the session started: the origin gets it even when it closed first (a
     * WebSocket-over-HTTP origin waits for it), unless detached.
     */
    void passCloseReply(int code, String reason) {
        if (leg != null && !detached) {
            leg.close(code, reason);
        }
    }

    void refresh() {
        if (live()) {
            leg.refresh();
        }
    }

    /** The client socket can take more (true) or is full (false). */
    void clientWritable(boolean writable) {
        if (leg != null && !legDone) {
            leg.clientWritable(writable);
        }
    }

    /** Whether the origin side keeps up with what the client sends (always, when it carries nothing). */
    boolean acceptsMore() {
        return !live() || leg.acceptsMore();
    }

    /** A {@code detach} control message: the origin is closed, the client stays. */
    void detach() {
        if (detached) {
            return;
        }
        detached = true;
        if (!legDone) {
            leg.close(-1, "");
        }
    }

    /** The client is gone: the origin side is dropped. */
    void disconnect() {
        if (leg != null && !legDone) {
            legDone = true;
            leg.disconnect();
        }
    }

    /** Callbacks of one leg; a leg left behind by failover is not heard. */
    private final class Events implements OriginLeg.Listener {
        OriginLeg leg;

        private boolean current() {
            return leg == WsOriginSide.this.leg && !ended.getAsBoolean();
        }

        @Override
        public void opened(HttpHeaders h) {
            if (current()) {
                listener.opened(h);
            }
        }

        @Override
        public void rejected(int code, String reason, HttpHeaders headers, byte[] body) {
            if (current()) {
                legDone = true;
                listener.rejected(code, reason, headers, body);
            }
        }

        @Override
        public void unreachable(String why) {
            if (current()) {
                legDone = true;
                log.debug("WebSocket target {} unreachable: {}", target.address(), why);
                listener.unreachable(why);
            }
        }

        @Override
        public void failed(String why) {
            if (current()) {
                legDone = true;
                listener.failed(why);
            }
        }

        @Override
        public void message(Msg m) {
            if (current()) {
                listener.message(m);
            }
        }

        @Override
        public void closed(int code, String reason) {
            if (current()) {
                legDone = true;
                listener.closed(code, reason);
            }
        }

        @Override
        public void disconnected() {
            if (current()) {
                legDone = true;
                listener.disconnected();
            }
        }

        @Override
        public void backlogChanged() {
            if (current()) {
                listener.backlogChanged();
            }
        }

        @Override
        public void limitHit(String limit, String detail) {
            if (leg == WsOriginSide.this.leg) {
                listener.limitHit(limit, detail);
            }
        }
    }
}
