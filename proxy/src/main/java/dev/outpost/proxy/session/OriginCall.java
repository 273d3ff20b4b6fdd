package dev.outpost.proxy.session;

import dev.outpost.origin.Endpoint;
import dev.outpost.origin.Failover;
import dev.outpost.origin.OriginHandler;
import dev.outpost.origin.OriginListener;
import dev.outpost.origin.OriginPool;
import dev.outpost.origin.OriginTimeoutException;
import dev.outpost.proxy.route.Target;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request of a client to its route's targets: each target in turn until one takes the connection (an idle
 * pooled one of this event loop, else a new one through {@code origin.OriginPool}), the head and the body parts
 * written with backpressure, once more on a fresh connection when a pooled one turns out dead before it answered,
 * and the final response's parts handed to the {@link Listener} (informational responses skipped). When the
 * response is read to the end the connection goes back to the pool if it can.
 */
final class OriginCall implements OriginListener {
    private static final Logger log = LoggerFactory.getLogger(OriginCall.class);

    /** The exchange's side of the call, on the client's event loop. */
    interface Listener {
        /** The next target is the built-in test origin: it answers {@code uri} in place of a connection. */
        void testTarget(String uri);

        /** A part of the origin's final response; the listener asks for more with {@link #read()}. */
        void response(HttpObject msg);

        /** The connection broke off, timed out or sent what can't be decoded, and the request was not sent again. */
        void broke(Throwable cause);

        /** No target could be reached; {@code tried} says which were tried. */
        void unreachable(String tried);

        /** A write of the request went out: the client may send more body. */
        void requestWritten();

        /** Whether the exchange is over: what arrives then is let go. */
        boolean over();
    }

    private final ClientConnection conn;
    private final RequestBody body;
    private final Listener listener;
    /** Whether the request may be sent twice: only such are retried when a pooled connection turns out dead. */
    private final boolean safe;
    /** The route's targets in order, and the names of those tried. */
    private final Failover<Target> targets;

    /** The origin request head; dropped once the client is held (see {@link #forgetRequest()}). */
    private HttpRequest request;

    private Target target;
    private Endpoint endpoint;
    private Channel origin;
    /** {@link #origin}'s last handler, kept rather than looked up in its pipeline at every step. */
    private OriginHandler handler;

    private boolean reused;
    private boolean gotResponse;
    private boolean skipping;
    /** Whether the final response lets the connection be reused: read before its head is cleaned for the client. */
    private boolean keepAlive;

    /** A call for {@code body}'s request to {@code targets}, reporting to {@code listener}. */
    OriginCall(ClientConnection conn, RequestBody body, Listener listener, boolean safe, List<Target> targets) {
        this.conn = conn;
        this.body = body;
        this.listener = listener;
        this.safe = safe;
        this.targets = new Failover<>(targets, conn::nameOf);
    }

    /** Sends {@code request} (its body is what {@link RequestBody} holds and will get) to the first target. */
    void start(HttpRequest request) {
        this.request = request;
        next();
    }

    /** Sends {@code request} again, from the first of {@code all} (a {@code Grip-Last} retry); names tried are kept. */
    void again(HttpRequest request, List<Target> all) {
        this.request = request;
        gotResponse = false;
        skipping = false;
        targets.again(all);
        next();
    }

    /** The target tried last, as messages name it ({@code ?} before the first). */
    String lastTried() {
        return targets.lastTried();
    }

    /** Whether any target was tried. */
    boolean started() {
        return targets.started();
    }

    /** The target tried last, or null. */
    Target target() {
        return target;
    }

    /** Whether a connection is attached. */
    boolean attached() {
        return origin != null;
    }

    /** Asks the origin for more of its response. */
    void read() {
        if (origin != null) {
            origin.read();
        }
    }

    /** The client is held: the request head is not needed again (a retry rebuilds it). */
    void forgetRequest() {
        request = null;
    }

    private void next() {
        target = targets.next();
        if (target == null) {
            listener.unreachable(targets.exhausted());
            return;
        }
        if (target.kind() == Target.Kind.TEST) {
            body.discard();
            gotResponse = true;
            listener.testTarget(request.uri());
            return;
        }
        endpoint = conn.endpointOf(target);
        Channel idle = OriginPool.pollIdle(conn.idleOrigins(), endpoint);
        if (idle != null) {
            reused = true;
            attach(idle);
        } else {
            connect();
        }
    }

    private void connect() {
        reused = false;
        Future<Channel> f = conn.px().pool().connect(conn.ctx().channel().eventLoop(), endpoint);
        f.addListener(x -> {
            if (listener.over()) {
                if (x.isSuccess()) {
                    f.getNow().close();
                }
                return;
            }
            if (x.isSuccess()) {
                attach(f.getNow());
            } else {
                // a TLS failure counts as a connect error, as in Pushpin: the next target is tried
                log.debug("connect to {} failed: {}", lastTried(), x.cause().toString());
                next();
            }
        });
    }

    private void attach(Channel ch) {
        origin = ch;
        handler = OriginHandler.of(ch);
        handler.listener(this);
        if (target.hostHeader() != null) {
            request.headers().set(HttpHeaderNames.HOST, target.hostHeader());
        } else if (!request.headers().contains(HttpHeaderNames.HOST)) {
            // a request without Host (HTTP/1.0) reaches the origin as Host: localhost, as with Pushpin 1.36
            request.headers().set(HttpHeaderNames.HOST, "localhost");
        }
        ChannelFuture last = ch.write(request);
        HttpContent p;
        boolean complete = false;
        while ((p = body.poll()) != null) {
            body.sending(p);
            complete = p instanceof LastHttpContent;
            last = ch.write(p);
        }
        body.writing(true);
        ch.flush();
        written(ch, last, complete);
        ch.read();
    }

    /** Writes the client's {@code c} now: the caller checked that nothing waits and no write is under way. */
    void write(HttpContent c) {
        body.sending(c);
        body.writing(true);
        Channel ch = origin;
        written(ch, ch.writeAndFlush(c), c instanceof LastHttpContent);
    }

    private void written(Channel ch, ChannelFuture f, boolean sentAll) {
        f.addListener(x -> {
            body.writing(false);
            if (x.isSuccess() && !listener.over()) {
                if (sentAll && origin == ch) {
                    // the whole request is on its way: from now on the origin has origin_response_timeout to answer
                    handler.watch(conn.px().limits().originResponseTimeout());
                }
                listener.requestWritten();
            }
        });
    }

    @Override
    public void originRead(HttpObject msg) {
        if (msg.decoderResult().isFailure()) {
            Throwable cause = msg.decoderResult().cause();
            ReferenceCountUtil.release(msg);
            drop();
            broke(cause);
            return;
        }
        if (msg instanceof HttpResponse r) {
            if (r.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
                skipping = true;
            } else {
                gotResponse = true;
                keepAlive = HttpUtil.isKeepAlive(r);
            }
        }
        if (skipping) {
            if (msg instanceof HttpContent c) {
                c.release();
                if (c instanceof LastHttpContent) {
                    skipping = false;
                }
            }
            read();
            return;
        }
        listener.response(msg);
    }

    @Override
    public void originClosed(Throwable cause) {
        origin = null;
        broke(cause);
    }

    private void broke(Throwable cause) {
        if (!(cause instanceof OriginTimeoutException)
                && !listener.over()
                && !gotResponse
                && reused
                && body.partsSent() == 0
                && safe) {
            // a pooled connection the origin had closed meanwhile: once more on a fresh one
            log.debug("origin {} broke off: {}; again on a new connection", lastTried(), String.valueOf(cause));
            if (!body.open() && HttpUtil.isTransferEncodingChunked(request)) {
                body.queue(LastHttpContent.EMPTY_LAST_CONTENT);
            }
            connect();
            return;
        }
        listener.broke(cause);
    }

    /** The origin's response was read to the end: the connection goes back to the pool when it can. */
    void complete() {
        Channel ch = origin;
        origin = null;
        if (ch == null) {
            return;
        }
        OriginHandler h = handler;
        handler = null;
        h.listener(null);
        if (body.sent() && keepAlive) {
            conn.px().pool().release(ch, h, endpoint);
        } else {
            ch.close();
        }
        if (body.open()) {
            body.discard();
        }
    }

    /** Detaches from the origin connection and closes it: it is mid-message and can't be reused. */
    void drop() {
        Channel ch = origin;
        origin = null;
        if (ch != null) {
            handler.listener(null);
            handler = null;
            ch.close();
        }
    }

    /** Requests that may be sent twice: only these are retried when a pooled connection turns out dead. */
    static boolean safe(HttpMethod m) {
        return HttpMethod.GET.equals(m)
                || HttpMethod.HEAD.equals(m)
                || HttpMethod.OPTIONS.equals(m)
                || HttpMethod.TRACE.equals(m);
    }
}
