package dev.outpost.proxy.session;

import dev.outpost.grip.instruct.GripInstructParser;
import dev.outpost.grip.instruct.HoldMode;
import dev.outpost.origin.OriginTimeoutException;
import dev.outpost.proxy.hold.ChannelRules;
import dev.outpost.proxy.hold.HeldResponse;
import dev.outpost.proxy.hold.Hold;
import dev.outpost.proxy.hold.HoldHandoff;
import dev.outpost.proxy.hold.HoldOwner;
import dev.outpost.proxy.hold.ResponseHold;
import dev.outpost.proxy.hold.StreamHold;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request of a client, as a small state machine over parts with one job each: {@link RequestPlan} (route and
 * origin request), {@link OriginCall} (targets, connections, the request body), then {@link ResponseRelay} for a
 * plain response or {@link GripAccept} for a GRIP one, whose {@link HoldHandoff} starts a {@link Hold} (with
 * {@link StreamThrough} when a stream's initial body is too large to buffer). Everything runs on the client's event
 * loop; origin connections are opened on the same loop.
 *
 * <p>States: CALLING (no response yet; request body parts wait in the {@link RequestBody}) → RELAYING (plain) |
 * ACCEPTING (GRIP body buffered) → HOLDING → DONE. A long-poll's {@code Grip-Last} retry goes from HOLDING back to
 * CALLING.
 */
final class ProxyExchange implements OriginCall.Listener, HoldOwner {
    private static final Logger log = LoggerFactory.getLogger(ProxyExchange.class);
    static final String ORIGIN_ERROR = "Error while proxying to origin.";

    private enum State {
        CALLING,
        ACCEPTING,
        RELAYING,
        HOLDING,
        DONE
    }

    private final ClientConnection conn;
    private final ChannelHandlerContext ctx;
    private final ProxyContext px;
    /** The client's request head; once a hold starts, a compact copy (see {@link RequestPlan#compact}). */
    private HttpRequest req;
    /** The client's version, keep-alive and method facts (the link base is added at a hand-over). */
    private final HoldHandoff.Client client;

    private final RequestBody body = new RequestBody();
    private State state = State.CALLING;

    private RequestPlan plan;
    private OriginCall call;
    private ResponseRelay relay;
    private GripAccept accept;
    /** Set while a stream hold's initial body is still being relayed from the origin. */
    private StreamThrough streaming;
    /** The current hold; after a retry, the one retried (its gone link is the client's until the next answer). */
    private Hold hold;

    private int retries;

    ProxyExchange(ClientConnection conn, ProxyContext px, HttpRequest req) {
        this.conn = conn;
        this.ctx = conn.ctx();
        this.px = px;
        this.req = req;
        this.client = new HoldHandoff.Client(
                RequestChecks.responseVersion(req.protocolVersion()),
                HttpUtil.isKeepAlive(req),
                HttpMethod.HEAD.equals(req.method()));
    }

    boolean requestOpen() {
        return body.open();
    }

    boolean acceptsRequestContent() {
        return body.accepts();
    }

    // ---- request side ----

    void start() {
        conn.observer().requestReceived(req.method().name(), req.uri());
        String forwardedFor = req.headers().get("X-Forwarded-For");
        if (forwardedFor != null) {
            conn.observer().forwardedFor(forwardedFor);
        }
        plan = RequestPlan.of(
                px,
                req,
                ctx.pipeline().get(SslHandler.class) != null,
                ForwardedHeaders.peer(ctx.channel().remoteAddress()));
        if (plan == null) {
            String host = RequestPlan.hostOf(req.headers().get(HttpHeaderNames.HOST));
            respondText(502, "Bad Gateway", "No route for host: " + host);
            return;
        }
        call = new OriginCall(
                conn, body, this, OriginCall.safe(req.method()), plan.route().targets());
        call.start(plan.originRequest(px, req));
    }

    void requestContent(HttpContent c) {
        if (!body.take(c)) {
            return;
        }
        if (call != null && call.attached() && body.idle()) {
            call.write(c);
        } else {
            body.queue(c);
        }
    }

    // ---- the origin call's events ----

    @Override
    public void requestWritten() {
        conn.requestMore();
    }

    @Override
    public boolean over() {
        return state == State.DONE;
    }

    @Override
    public void unreachable(String tried) {
        reject(502, "Bad Gateway", ORIGIN_ERROR, tried);
    }

    @Override
    public void testTarget(String uri) {
        TestTarget.Answer a = TestTarget.answer(uri);
        if (GripInstructParser.isGrip(a.head().headers())) {
            handover(GripAccept.instruct(terms(), a.head(), a.body()));
        } else {
            respondFull(new HeldResponse(
                    a.head().status().code(),
                    a.head().status().reasonPhrase(),
                    Headers.cleanGripResponse(Headers.list(a.head().headers()), null),
                    a.body()));
        }
    }

    @Override
    public void response(HttpObject msg) {
        if (streaming != null) {
            if (msg instanceof HttpContent c) {
                streaming.relay(c);
                if (!streaming.relaying()) {
                    streaming = null;
                }
            } else {
                ReferenceCountUtil.release(msg);
                call.drop();
                cutInitial();
            }
            return;
        }
        if (state == State.DONE || state == State.HOLDING) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpResponse r) {
            conn.observer()
                    .originResponse(
                            plan.route().id(), call.lastTried(), r.status().code());
            if (!plan.route().noGrip() && !plan.trusted() && GripInstructParser.isGrip(r.headers())) {
                if (body.bytes() > RequestBody.MAX_COPY) {
                    // the request could not be replayed: Pushpin refuses to hold it
                    ReferenceCountUtil.release(msg);
                    call.drop();
                    respondText(400, "Bad Request", "Request too large to accept GRIP instruct.");
                    return;
                }
                state = State.ACCEPTING;
                accept = new GripAccept(terms(), r, ctx.alloc());
            } else {
                state = State.RELAYING;
                relay = new ResponseRelay(ctx, client, r);
            }
        }
        if (msg instanceof HttpContent c) {
            if (state == State.ACCEPTING) {
                accept(c);
            } else if (state == State.RELAYING) {
                relay(c);
            } else {
                c.release();
            }
        } else {
            call.read();
        }
    }

    private void relay(HttpContent c) {
        boolean last = c instanceof LastHttpContent;
        long bytes = relay.count(c);
        if (last) {
            call.complete();
            AccessLog.log(req, call, plan.route(), "code=" + relay.code() + " " + bytes);
        }
        relay.write(c).addListener(f -> {
            if (!f.isSuccess()) {
                return;
            }
            if (last) {
                finish(relay.keepAlive());
            } else if (call.attached() && state == State.RELAYING) {
                if (ctx.channel().isWritable()) {
                    call.read();
                } else {
                    relay.waitWritable();
                }
            }
        });
    }

    private void accept(HttpContent c) {
        switch (accept.add(c)) {
            case MORE -> call.read();
            case COMPLETE -> {
                call.complete();
                GripAccept a = accept;
                accept = null;
                handover(a.complete());
            }
            case OVERFLOW -> {
                GripAccept.Outcome o = accept.overflow();
                accept = null;
                if (o instanceof GripAccept.Handover h) {
                    streamThrough(h, c);
                    return;
                }
                c.release();
                call.drop();
                if (o == null) {
                    reject(
                            502,
                            "Bad Gateway",
                            ORIGIN_ERROR,
                            "GRIP instruct response too large from " + call.lastTried());
                } else {
                    handover(o);
                }
            }
        }
    }

    @Override
    public void broke(Throwable cause) {
        if (streaming != null) {
            if (cause instanceof OriginTimeoutException t) {
                px.drops()
                        .hit(
                                "origin_response_timeout",
                                conn.connectionId(),
                                "stream from " + call.lastTried() + " silent for "
                                        + t.after().toSeconds() + " s; cut");
            }
            cutInitial();
            return;
        }
        if (state == State.DONE || state == State.HOLDING) {
            return;
        }
        log.debug("origin {} broke off: {}", call.lastTried(), String.valueOf(cause));
        if (cause instanceof OriginTimeoutException t) {
            timedOut(t);
            return;
        }
        if (state == State.RELAYING) {
            // the head is out: all that is left is to cut the client off
            AccessLog.log(req, call, plan.route(), "error");
            end(false);
            return;
        }
        reject(502, "Bad Gateway", ORIGIN_ERROR, cause == null ? ORIGIN_ERROR : "Error: " + cause);
    }

    /**
     * The origin kept the proxy waiting past origin_response_timeout: a 504 when the client has had nothing yet (as
     * nginx answers), else the client is cut off. The request is not sent again: the origin may be working on it.
     */
    private void timedOut(OriginTimeoutException t) {
        long s = t.after().toSeconds();
        px.drops()
                .hit(
                        "origin_response_timeout",
                        conn.connectionId(),
                        "no response from " + call.lastTried() + " within " + s + " s");
        if (state == State.RELAYING) {
            AccessLog.log(req, call, plan.route(), "timeout");
            end(false);
            return;
        }
        reject(
                504,
                "Gateway Timeout",
                "The origin did not respond within " + s + " s.",
                "The origin " + call.lastTried() + " did not respond within " + s + " s (origin_response_timeout).");
    }

    // ---- GRIP: the hand-over to a hold ----

    /** What GRIP answers of this exchange are made with: client facts, channel rules, debug, the connection's. */
    private GripAccept.Terms terms() {
        HoldHandoff.Client c = new HoldHandoff.Client(
                client.version(), client.keepAlive(), client.headRequest(), RequestPlan.linkBase(req, plan.secure()));
        ChannelRules rules = new ChannelRules(
                plan.route().prefix(),
                call.target() == null ? List.of() : call.target().subs(),
                px.config().connectionSubscriptionMax());
        return new GripAccept.Terms(c, rules, debug(), conn.holdContext());
    }

    private void handover(GripAccept.Outcome o) {
        if (o instanceof GripAccept.Refused r) {
            reject(502, "Bad Gateway", ORIGIN_ERROR, r.debugMessage());
        } else if (o instanceof GripAccept.Respond r) {
            respondFull(r.response());
        } else if (o instanceof GripAccept.Handover h) {
            enterHold();
            if (h.mode() == HoldMode.RESPONSE) {
                hold = new ResponseHold(ctx, conn.holdContext(), h.handoff(), this);
            } else {
                hold = new StreamHold(ctx, conn.holdContext(), h.handoff(), this);
            }
            if (h.mode() != null) {
                String mode = h.mode() == HoldMode.RESPONSE ? "response" : "stream";
                conn.observer().holdStarted(mode, h.channelNames(), h.instruct());
            }
            hold.start();
        }
    }

    /** A stream hold whose initial body did not fit the buffer: the head now, the body relayed as it comes. */
    private void streamThrough(GripAccept.Handover h, HttpContent first) {
        enterHold();
        StreamHold sh = new StreamHold(ctx, conn.holdContext(), h.handoff(), this);
        hold = sh;
        conn.observer().holdStarted("stream", h.channelNames(), h.instruct());
        streaming = new StreamThrough(ctx, call, sh);
        if (!streaming.start(first) || !streaming.relaying()) {
            streaming = null;
        }
    }

    /** The origin broke off inside a stream's initial body: the stream can't be completed, the client is cut off. */
    private void cutInitial() {
        StreamThrough s = streaming;
        streaming = null;
        AccessLog.log(req, call, plan.route(), "error");
        s.cut();
        finish(false);
    }

    private void enterHold() {
        if (body.open()) {
            body.discard();
        }
        state = State.HOLDING;
        AccessLog.log(req, call, plan.route(), "accept");
        // a held connection lives long: keep only what a retry or a link needs, rebuilt from the client's head
        call.forgetRequest();
        req = RequestPlan.compact(req);
    }

    private boolean debug() {
        return px.config().debug() || (plan != null && plan.route().debug());
    }

    // ---- the hold's owner ----

    @Override
    public void holdFinished(boolean keepAlive) {
        conn.observer().holdEnded("finished");
        finish(keepAlive);
    }

    /** Pushpin's retry: the original request goes to the origin again, with what the hold knew as Grip-Last. */
    @Override
    public boolean retry(Map<String, String> gripLast) {
        if (state != State.HOLDING || streaming != null || !ctx.channel().isActive() || body.tooLargeToResend()) {
            return false;
        }
        retries++;
        log.debug("retrying {} with Grip-Last {} (retry {})", plan.originUri(), gripLast, retries);
        conn.observer().holdEnded("retry");
        // the hold stays known: when the client leaves before the new answer, it posts its gone link
        state = State.CALLING;
        relay = null;
        int length = body.replay();
        HttpRequest r = plan.retryRequest(px, req, gripLast, length);
        call.again(r, plan.route().targets());
        return true;
    }

    // ---- client side ----

    void clientWritable() {
        if (state == State.RELAYING && call.attached() && relay.resume()) {
            call.read();
        } else if (streaming != null && streaming.resume()) {
            return;
        } else if (state == State.HOLDING && hold != null) {
            hold.clientWritable();
        }
    }

    /** The proxy is stopping: a hold ends cleanly; anything else runs on until the connection is closed. */
    void shutdown() {
        if (state == State.HOLDING && hold != null && streaming == null) {
            hold.shutdown();
        }
    }

    /**
     * The request's body turned out malformed (a bad chunk size, say): the exchange lets go of everything. True when
     * the client has had no byte of a response yet, so that it can still be told 400.
     */
    boolean badRequestBody() {
        boolean untouched = state == State.CALLING || state == State.ACCEPTING;
        clientClosed();
        return untouched;
    }

    /** The client left: let go of everything at once. */
    void clientClosed() {
        State was = state;
        state = State.DONE;
        streaming = null;
        release();
        if (call != null) {
            call.drop();
        }
        if (hold != null && (was == State.HOLDING || retries > 0)) {
            hold.clientClosed();
        }
    }

    private void finish(boolean keepAlive) {
        if (state == State.DONE && hold == null) {
            return;
        }
        end(keepAlive);
    }

    /** Over: what waits is released, the connection goes on (or is closed). */
    private void end(boolean keepAlive) {
        state = State.DONE;
        release();
        conn.exchangeDone(this, keepAlive);
    }

    private void release() {
        body.discard();
        if (accept != null) {
            accept.release();
            accept = null;
        }
    }

    /** Pushpin's error form: text/plain, the message and a newline; {@code debugMessage} with {@code debug} on. */
    private void reject(int code, String reason, String message, String debugMessage) {
        respondText(code, reason, debug() ? debugMessage : message);
    }

    private void respondText(int code, String reason, String message) {
        respondFull(ResponseRelay.text(code, reason, message));
    }

    private void respondFull(HeldResponse r) {
        if (call != null) {
            call.drop();
        }
        release();
        state = State.DONE;
        AccessLog.log(req, call, plan == null ? null : plan.route(), "code=" + r.code() + " " + r.body().length);
        ResponseRelay.full(ctx, client, r)
                .addListener(f -> conn.exchangeDone(this, client.keepAlive() && f.isSuccess()));
    }
}
