package dev.outpost.proxy.session;

import dev.outpost.grip.instruct.GripInstruct;
import dev.outpost.grip.instruct.GripInstructException;
import dev.outpost.grip.instruct.GripInstructParser;
import dev.outpost.grip.instruct.GripLast;
import dev.outpost.grip.instruct.HoldMode;
import dev.outpost.grip.instruct.InstructResponse;
import dev.outpost.origin.Endpoint;
import dev.outpost.origin.Failover;
import dev.outpost.origin.OriginHandler;
import dev.outpost.origin.OriginListener;
import dev.outpost.origin.OriginPool;
import dev.outpost.origin.OriginTimeoutException;
import dev.outpost.proxy.config.ProxyConfig;
import dev.outpost.proxy.hold.ChannelRules;
import dev.outpost.proxy.hold.HeldResponse;
import dev.outpost.proxy.hold.Hold;
import dev.outpost.proxy.hold.HoldChannel;
import dev.outpost.proxy.hold.HoldHandoff;
import dev.outpost.proxy.hold.HoldOwner;
import dev.outpost.proxy.hold.ResponseHold;
import dev.outpost.proxy.hold.StreamHold;
import dev.outpost.proxy.route.Route;
import dev.outpost.proxy.route.RouteTable;
import dev.outpost.proxy.route.Target;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.ReadOnlyHttpHeaders;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request of a client: route, forward to the origin (failing over across targets), then either relay the
 * origin's response as it streams or, when the response carries GRIP instructions, buffer it and hand the client to
 * a {@link Hold}. Everything runs on the client's event loop; origin connections are opened on the same loop.
 *
 * <p>States: CONNECTING (no origin yet; request body parts wait in {@link #pending}) → REQUESTING (head sent) →
 * RESPONDING (plain relay) | ACCEPTING (GRIP body buffered) → HOLDING → DONE.
 */
final class ProxyExchange implements OriginListener, HoldOwner {
    private static final Logger log = LoggerFactory.getLogger(ProxyExchange.class);
    /** One line per request, as Pushpin's proxy logs them at info level. */
    private static final Logger access = LoggerFactory.getLogger("dev.outpost.proxy.access");
    /** Largest origin body buffered for a GRIP instruction (Pushpin's MAX_ACCEPT_RESPONSE_BODY). */
    static final int MAX_ACCEPT_BODY = 100_000;
    /** Past this much request body a GRIP answer is refused, as Pushpin's MAX_ACCEPT_REQUEST_BODY. */
    static final int MAX_ACCEPT_REQUEST_BODY = 100_000;

    static final String ORIGIN_ERROR = "Error while proxying to origin.";

    private enum State {
        CONNECTING,
        REQUESTING,
        ACCEPTING,
        RESPONDING,
        HOLDING,
        DONE
    }

    private final ClientConnection conn;
    private final ChannelHandlerContext ctx;
    private final ProxyContext px;
    private final ProxyConfig cfg;
    /** The client's request head; once a hold starts, a compact copy (see {@link #compact}). */
    private HttpRequest req;

    private final HttpVersion version;
    private final boolean clientKeepAlive;
    private final boolean headRequest;
    /** Read from the full head: the compact copy does not split comma-separated values as Netty's headers do. */
    private final boolean requestChunked;

    private final boolean requestLengthSet;

    private State state = State.CONNECTING;
    private boolean requestOpen = true;
    private final boolean trusted;
    /** The rest of the request body is not wanted (test target, or the origin already answered). */
    private boolean discardBody;
    /** Request body parts not yet written to the origin; owned here. */
    // small first capacities: these live as long as a held connection and usually hold 0-2 items
    private final ArrayDeque<HttpContent> pending = new ArrayDeque<>(2);

    private boolean writingToOrigin;
    private int bodyPartsSent;
    private long requestBodyBytes;
    private long responseBodyBytes;

    private Route route;
    /** The route's targets in order, and the names of those tried. */
    private Failover<Target> targets;

    private Target target;
    private Endpoint endpoint;
    private HttpRequest originRequest;
    private Channel origin;
    /** {@link #origin}'s last handler, kept rather than looked up in its pipeline at every step. */
    private OriginHandler originHandler;

    private boolean reused;
    private boolean gotResponse;
    private boolean skippingInformational;
    private HttpResponse originResponse;
    /** Whether {@link #originResponse} lets the connection be reused: read before its head is cleaned for the client. */
    private boolean originKeepAlive;
    /** The head of a plain response, held until its first body part (see {@link #startRelay}). */
    private HttpResponse responseHead;
    /** The GRIP response body while it is read; owned here. */
    private CompositeByteBuf gripBody;

    private boolean responseKeepAlive;
    private boolean waitingWritable;
    private Hold hold;
    /** Set while a stream hold's initial body is still being relayed from the origin. */
    private StreamHold streamingInitial;
    /** The request target as the origin gets it (route rewrite applied), for retries. */
    private String originUri;
    /** The request body as sent, kept (up to the accept limit) so that the request can be sent again. */
    private final ByteArrayOutputStream requestCopy = new ByteArrayOutputStream(0);

    private int retries;

    ProxyExchange(ClientConnection conn, ProxyContext px, HttpRequest req) {
        this.conn = conn;
        this.ctx = conn.ctx();
        this.px = px;
        this.cfg = px.config();
        this.req = req;
        // upstream_key: a signed upstream proxy's request passes through with its Grip-* headers, and the answer's
        // GRIP instructions go back to it (Pushpin's trusted client)
        this.trusted = px.trusted(req);
        this.version = RequestChecks.responseVersion(req.protocolVersion());
        this.clientKeepAlive = HttpUtil.isKeepAlive(req);
        this.headRequest = HttpMethod.HEAD.equals(req.method());
        this.requestChunked = HttpUtil.isTransferEncodingChunked(req);
        this.requestLengthSet = HttpUtil.isContentLengthSet(req);
    }

    boolean requestOpen() {
        return requestOpen;
    }

    boolean acceptsRequestContent() {
        if (!requestOpen) {
            return false;
        }
        if (discardBody || state == State.DONE) {
            return true;
        }
        return pending.isEmpty() && !writingToOrigin;
    }

    // ---- request side ----

    void start() {
        conn.observer().requestReceived(req.method().name(), req.uri());
        String forwardedFor = req.headers().get("X-Forwarded-For");
        if (forwardedFor != null) {
            conn.observer().forwardedFor(forwardedFor);
        }
        String uri = RequestPlan.originForm(req.uri());
        int q = uri.indexOf('?');
        String path = q >= 0 ? uri.substring(0, q) : uri;
        String query = q >= 0 ? uri.substring(q) : "";
        route = resolve(path);
        if (route == null) {
            respondText(
                    502,
                    "Bad Gateway",
                    "No route for host: " + RequestPlan.hostOf(req.headers().get(HttpHeaderNames.HOST)));
            return;
        }
        targets = new Failover<>(route.targets(), conn::nameOf);
        originUri = route.rewritePath(path) + query;
        originRequest = buildOriginRequest(originUri);
        nextTarget();
    }

    private Route resolve(String path) {
        RouteTable table = px.routes();
        String id = cfg.acceptPushpinRoute() ? req.headers().get("Pushpin-Route") : null;
        if (id != null) {
            id = id.trim();
        }
        if (table.isEmpty() && (id == null || id.isEmpty())) {
            return RequestPlan.DEFAULT_ROUTE;
        }
        // a request that came over TLS (https_ports) matches ssl=yes routes
        boolean tls = ctx.pipeline().get(SslHandler.class) != null;
        return RequestPlan.select(table, id, RequestPlan.hostOf(req.headers().get(HttpHeaderNames.HOST)), path, tls)
                .orElse(null);
    }

    private HttpRequest buildOriginRequest(String uri) {
        HttpRequest o = new DefaultHttpRequest(HttpVersion.HTTP_1_1, req.method(), uri.isEmpty() ? "/" : uri);
        Headers.cleanRequest(req.headers(), o.headers(), cfg.acceptPushpinRoute(), trusted);
        if (route.asHost() != null && !route.asHost().isEmpty()) {
            o.headers().set(HttpHeaderNames.HOST, route.asHost());
        }
        for (Map.Entry<String, String> h : route.headers()) {
            o.headers().remove(h.getKey());
            if (h.getValue() != null && !h.getValue().isEmpty()) {
                o.headers().add(h.getKey(), h.getValue());
            }
        }
        if (!route.noGrip() && !trusted) {
            RequestPlan.gripHeaders(px, o.headers(), route);
        }
        if (requestChunked) {
            HttpUtil.setTransferEncodingChunked(o, true);
        }
        return o;
    }

    private void nextTarget() {
        target = targets.next();
        if (target == null) {
            reject(502, "Bad Gateway", ORIGIN_ERROR, targets.exhausted());
            return;
        }
        if (target.kind() == Target.Kind.TEST) {
            discardBody = true;
            releasePending();
            TestTarget.Answer a = TestTarget.answer(originRequest.uri());
            gotResponse = true;
            if (GripInstructParser.isGrip(a.head().headers())) {
                handleGrip(a.head(), a.body());
            } else {
                respondFull(
                        a.head().status().code(),
                        a.head().status().reasonPhrase(),
                        Headers.cleanGripResponse(Headers.list(a.head().headers()), null),
                        a.body());
            }
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
        Future<Channel> f = px.pool().connect(ctx.channel().eventLoop(), endpoint);
        f.addListener(x -> {
            if (state == State.DONE) {
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
                nextTarget();
            }
        });
    }

    private void attach(Channel ch) {
        origin = ch;
        originHandler = OriginHandler.of(ch);
        originHandler.listener(this);
        state = State.REQUESTING;
        if (target.hostHeader() != null) {
            originRequest.headers().set(HttpHeaderNames.HOST, target.hostHeader());
        } else if (!originRequest.headers().contains(HttpHeaderNames.HOST)) {
            // a request without Host (HTTP/1.0) reaches the origin as Host: localhost, as with Pushpin 1.36
            originRequest.headers().set(HttpHeaderNames.HOST, "localhost");
        }
        ChannelFuture last = ch.write(originRequest);
        HttpContent p;
        boolean complete = false;
        while ((p = pending.poll()) != null) {
            if (p.content().isReadable()) {
                bodyPartsSent++;
                keepCopy(p.content());
            }
            complete = p instanceof LastHttpContent;
            last = ch.write(p);
        }
        writingToOrigin = true;
        ch.flush();
        boolean sentAll = complete;
        last.addListener(f -> {
            writingToOrigin = false;
            if (f.isSuccess() && state != State.DONE) {
                if (sentAll) {
                    requestSent(ch);
                }
                conn.requestMore();
            }
        });
        ch.read();
    }

    /** The whole request is on its way: from now on the origin has origin_response_timeout to answer. */
    private void requestSent(Channel ch) {
        if (origin == ch) {
            originHandler.watch(px.limits().originResponseTimeout());
        }
    }

    void requestContent(HttpContent c) {
        if (c instanceof LastHttpContent) {
            requestOpen = false;
        }
        requestBodyBytes += c.content().readableBytes();
        if (discardBody || state == State.DONE) {
            c.release();
            return;
        }
        if (origin != null && !writingToOrigin && pending.isEmpty()) {
            if (c.content().isReadable()) {
                bodyPartsSent++;
                keepCopy(c.content());
            }
            writingToOrigin = true;
            Channel ch = origin;
            boolean sentAll = c instanceof LastHttpContent;
            ch.writeAndFlush(c).addListener(f -> {
                writingToOrigin = false;
                if (f.isSuccess() && state != State.DONE) {
                    if (sentAll) {
                        requestSent(ch);
                    }
                    conn.requestMore();
                }
            });
        } else {
            pending.add(c);
        }
    }

    private void keepCopy(ByteBuf b) {
        if (requestCopy.size() <= MAX_ACCEPT_REQUEST_BODY) {
            byte[] bytes = new byte[b.readableBytes()];
            b.getBytes(b.readerIndex(), bytes);
            requestCopy.writeBytes(bytes);
        }
    }

    private void releasePending() {
        HttpContent p;
        while ((p = pending.poll()) != null) {
            p.release();
        }
        if (gripBody != null) {
            gripBody.release();
            gripBody = null;
        }
    }

    // ---- response side ----

    @Override
    public void originRead(HttpObject msg) {
        if (streamingInitial != null) {
            if (msg.decoderResult().isFailure() || !(msg instanceof HttpContent c)) {
                ReferenceCountUtil.release(msg);
                dropOrigin();
                cutInitial();
            } else {
                relayInitial(c);
            }
            return;
        }
        if (state == State.DONE || state == State.HOLDING) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg.decoderResult().isFailure()) {
            Throwable cause = msg.decoderResult().cause();
            ReferenceCountUtil.release(msg);
            dropOrigin();
            originBroke(cause);
            return;
        }
        if (msg instanceof HttpResponse r) {
            if (r.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
                skippingInformational = true;
            } else {
                gotResponse = true;
                originResponse = r;
                originKeepAlive = HttpUtil.isKeepAlive(r);
                conn.observer()
                        .originResponse(route.id(), lastTried(), r.status().code());
                if (!route.noGrip() && !trusted && GripInstructParser.isGrip(r.headers())) {
                    if (requestBodyBytes > MAX_ACCEPT_REQUEST_BODY) {
                        // the request could not be replayed: Pushpin refuses to hold it
                        ReferenceCountUtil.release(msg);
                        dropOrigin();
                        respondText(400, "Bad Request", "Request too large to accept GRIP instruct.");
                        return;
                    }
                    state = State.ACCEPTING;
                    gripBody = ctx.alloc().compositeBuffer();
                } else {
                    state = State.RESPONDING;
                    startRelay(r);
                }
            }
        }
        if (msg instanceof HttpContent c) {
            if (skippingInformational) {
                c.release();
                if (c instanceof LastHttpContent) {
                    skippingInformational = false;
                }
                origin.read();
                return;
            }
            if (state == State.ACCEPTING) {
                accept(c);
            } else if (state == State.RESPONDING) {
                relay(c);
            } else {
                c.release();
            }
        } else if (origin != null) {
            origin.read();
        }
    }

    private void accept(HttpContent c) {
        if (gripBody.readableBytes() + c.content().readableBytes() > MAX_ACCEPT_BODY) {
            if (streamThrough(c)) {
                return;
            }
            c.release();
            dropOrigin();
            reject(502, "Bad Gateway", ORIGIN_ERROR, "GRIP instruct response too large from " + lastTried());
            return;
        }
        gripBody.addComponent(true, c.content().retain());
        boolean last = c instanceof LastHttpContent;
        c.release();
        if (!last) {
            origin.read();
            return;
        }
        originComplete();
        byte[] body = ByteBufUtil.getBytes(gripBody);
        gripBody.release();
        gripBody = null;
        handleGrip(originResponse, body);
    }

    private void startRelay(HttpResponse r) {
        // the origin's head itself, cleaned: no copy of its headers
        HttpResponse out = r;
        out.setProtocolVersion(version);
        Headers.cleanResponse(out.headers());
        int code = r.status().code();
        boolean bodyless = headRequest || code == 204 || code == 304;
        responseKeepAlive = clientKeepAlive;
        if (!bodyless && !out.headers().contains(HttpHeaderNames.CONTENT_LENGTH)) {
            if (version.isKeepAliveDefault()) {
                HttpUtil.setTransferEncodingChunked(out, true);
            } else {
                responseKeepAlive = false;
            }
        }
        HttpUtil.setKeepAlive(out, responseKeepAlive);
        // written with the first body part: a whole small response then goes out as one message and one buffer
        responseHead = out;
    }

    private void relay(HttpContent c) {
        boolean last = c instanceof LastHttpContent;
        responseBodyBytes += c.content().readableBytes();
        if (last) {
            originComplete();
            logAccess("code=" + originResponse.status().code() + " " + responseBodyBytes);
        }
        HttpResponse head = responseHead;
        Object msg = c;
        if (head != null) {
            responseHead = null;
            if (last) {
                msg = new DefaultFullHttpResponse(
                        head.protocolVersion(),
                        head.status(),
                        c.content(),
                        head.headers(),
                        ((LastHttpContent) c).trailingHeaders());
            } else {
                ctx.write(head);
            }
        }
        ctx.writeAndFlush(msg).addListener(f -> {
            if (!f.isSuccess()) {
                return;
            }
            if (last) {
                finish(responseKeepAlive);
            } else if (origin != null && state == State.RESPONDING) {
                if (ctx.channel().isWritable()) {
                    origin.read();
                } else {
                    waitingWritable = true;
                }
            }
        });
    }

    /** The origin's response was read to the end: the connection goes back to the pool when it can. */
    private void originComplete() {
        Channel ch = origin;
        origin = null;
        if (ch == null) {
            return;
        }
        OriginHandler h = originHandler;
        originHandler = null;
        h.listener(null);
        boolean reusable = !requestOpen && !writingToOrigin && pending.isEmpty() && originKeepAlive;
        if (reusable) {
            px.pool().release(ch, h, endpoint);
        } else {
            ch.close();
        }
        if (requestOpen) {
            discardBody = true;
            releasePending();
        }
    }

    /** Detaches from the origin connection and closes it: it is mid-message and can't be reused. */
    private void dropOrigin() {
        Channel ch = origin;
        origin = null;
        if (ch != null) {
            originHandler.listener(null);
            originHandler = null;
            ch.close();
        }
    }

    @Override
    public void originClosed(Throwable cause) {
        origin = null;
        if (streamingInitial != null) {
            if (cause instanceof OriginTimeoutException t) {
                px.drops()
                        .hit(
                                "origin_response_timeout",
                                connectionId(),
                                "stream from " + lastTried() + " silent for "
                                        + t.after().toSeconds() + " s; cut");
            }
            cutInitial();
            return;
        }
        if (state == State.DONE || state == State.HOLDING) {
            return;
        }
        originBroke(cause);
    }

    private void originBroke(Throwable cause) {
        log.debug("origin {} broke off: {}", lastTried(), String.valueOf(cause));
        if (cause instanceof OriginTimeoutException t) {
            originTimedOut(t);
            return;
        }
        if (state == State.REQUESTING && !gotResponse && reused && bodyPartsSent == 0 && safeMethod()) {
            // a pooled connection the origin had closed meanwhile: once more on a fresh one
            if (!requestOpen && HttpUtil.isTransferEncodingChunked(originRequest)) {
                pending.add(LastHttpContent.EMPTY_LAST_CONTENT);
            }
            state = State.CONNECTING;
            connect();
            return;
        }
        if (state == State.RESPONDING) {
            logAccess("error");
            // the head is out: all that is left is to cut the client off
            state = State.DONE;
            releasePending();
            conn.exchangeDone(this, false);
            return;
        }
        releasePending();
        reject(502, "Bad Gateway", ORIGIN_ERROR, cause == null ? ORIGIN_ERROR : "Error: " + cause);
    }

    /**
     * The origin kept the proxy waiting past origin_response_timeout: a 504 when the client has had nothing yet (as
     * nginx answers), else the client is cut off. The request is not sent again: the origin may be working on it.
     */
    private void originTimedOut(OriginTimeoutException t) {
        long s = t.after().toSeconds();
        px.drops()
                .hit(
                        "origin_response_timeout",
                        connectionId(),
                        "no response from " + lastTried() + " within " + s + " s");
        if (state == State.RESPONDING) {
            logAccess("timeout");
            state = State.DONE;
            releasePending();
            conn.exchangeDone(this, false);
            return;
        }
        releasePending();
        reject(
                504,
                "Gateway Timeout",
                "The origin did not respond within " + s + " s.",
                "The origin " + lastTried() + " did not respond within " + s + " s (origin_response_timeout).");
    }

    // ---- GRIP ----

    private void handleGrip(HttpResponse r, byte[] body) {
        GripInstruct ins = parseInstruct(r, body);
        if (ins == null) {
            return;
        }
        HeldResponse held = heldResponse(r, body, ins);
        if (!sendable(held)) {
            return;
        }
        // the origin's response was read to the end (the connection is back in the pool): nothing needs its head
        originResponse = null;
        if (!ins.isHold()) {
            if (ins.nextLink() == null) {
                respondFull(held.code(), held.reason(), held.headers(), held.body());
                return;
            }
            // the body is the first page: the next link continues the response
            enterHold();
            hold = new StreamHold(ctx, conn.holdContext(), handoff(ins, held, List.of(), true), this);
            hold.start();
            return;
        }
        enterHold();
        List<HoldChannel> chans = channels(ins);
        if (ins.hold() == HoldMode.RESPONSE) {
            hold = new ResponseHold(ctx, conn.holdContext(), handoff(ins, held, chans, false), this);
        } else {
            hold = new StreamHold(ctx, conn.holdContext(), handoff(ins, held, chans, false), this);
        }
        conn.observer().holdStarted(ins.hold() == HoldMode.RESPONSE ? "response" : "stream", names(chans), ins);
        hold.start();
    }

    /** The one hand-over to a hold; a body-only answer ({@code noHold}) has no keep-alive. */
    private HoldHandoff handoff(GripInstruct ins, HeldResponse held, List<HoldChannel> chans, boolean noHold) {
        return new HoldHandoff(
                new HoldHandoff.Client(version, clientKeepAlive, headRequest, linkBase()),
                held,
                new HoldHandoff.Instruction(
                        chans, ins.meta(), ins.timeoutSeconds(), noHold ? null : ins.keepAlive(), noHold),
                new HoldHandoff.Links(ins.nextLink(), ins.goneLink(), channelRules()),
                debug());
    }

    /** What links resolve against: the URL the client asked for, or null when it is none. */
    private URI linkBase() {
        String h = req.headers().get(HttpHeaderNames.HOST);
        try {
            return new URI("http://" + (h == null || h.isBlank() ? "localhost" : h.trim())
                    + RequestPlan.originForm(req.uri()));
        } catch (URISyntaxException e) {
            return null;
        }
    }

    /** The instruction, or null after the client got a 502. */
    private GripInstruct parseInstruct(HttpResponse r, byte[] body) {
        try {
            return GripInstructParser.parse(r.status().code(), Headers.list(r.headers()), body);
        } catch (GripInstructException e) {
            reject(502, "Bad Gateway", ORIGIN_ERROR, e.getMessage());
        } catch (RuntimeException e) {
            log.warn("GRIP instruction from {} could not be read", lastTried(), e);
            reject(502, "Bad Gateway", ORIGIN_ERROR, "Error: " + e);
        }
        return null;
    }

    /** What the client sees of the origin's response: a JSON instruct's own response, Grip-Status applied. */
    private static HeldResponse heldResponse(HttpResponse r, byte[] body, GripInstruct ins) {
        int code = r.status().code();
        String reason = r.status().reasonPhrase();
        List<Map.Entry<String, String>> headers = Headers.list(r.headers());
        byte[] b = body;
        InstructResponse ir = ins.response();
        if (ir != null) {
            code = ir.code();
            reason = ir.reason();
            headers = ir.headers();
            b = ir.body();
        }
        if (ins.status() != null) {
            code = ins.status().code();
            reason = ins.status().reason();
        }
        return new HeldResponse(code, reason, Headers.cleanGripResponse(headers, ins.exposeHeaders()), b);
    }

    /** False, after answering 502, when the instruction's response can't go on the wire (say, a CR in a header). */
    private boolean sendable(HeldResponse held) {
        try {
            new HttpResponseStatus(held.code(), held.reason());
            HttpHeaders h = new DefaultHttpHeaders();
            for (Map.Entry<String, String> e : held.headers()) {
                h.add(e.getKey(), e.getValue());
            }
            return true;
        } catch (IllegalArgumentException e) {
            reject(502, "Bad Gateway", ORIGIN_ERROR, "Error: " + e.getMessage());
            return false;
        }
    }

    private void enterHold() {
        if (requestOpen) {
            discardBody = true;
            pending.forEach(HttpContent::release);
            pending.clear();
        }
        state = State.HOLDING;
        logAccess("accept");
        // a held connection lives long: keep only what a retry or a link needs, rebuilt from the client's head
        originRequest = null;
        req = compact(req);
    }

    /**
     * The request head with its headers in one flat read-only array instead of a hash map of entries. Lookups by
     * name and iteration are as before; {@code containsValue} does not split comma-separated values.
     */
    static HttpRequest compact(HttpRequest r) {
        HttpHeaders h = r.headers();
        CharSequence[] kv = new CharSequence[h.size() * 2];
        int i = 0;
        for (Iterator<Map.Entry<CharSequence, CharSequence>> it = h.iteratorCharSequence(); it.hasNext(); ) {
            Map.Entry<CharSequence, CharSequence> e = it.next();
            kv[i++] = e.getKey();
            kv[i++] = e.getValue();
        }
        return new DefaultHttpRequest(
                r.protocolVersion(),
                r.method(),
                r.uri(),
                new ReadOnlyHttpHeaders(false, i == kv.length ? kv : Arrays.copyOf(kv, i)));
    }

    /**
     * A stream hold whose initial body is larger than the buffer: as Pushpin does, the head goes out now, the rest
     * of the body is relayed as it comes, and the channels are joined when it ends.
     */
    private boolean streamThrough(HttpContent c) {
        String mode = originResponse.headers().get("Grip-Hold");
        String type = originResponse.headers().get(HttpHeaderNames.CONTENT_TYPE);
        if (mode == null
                || !mode.trim().equalsIgnoreCase("stream")
                || (type != null && type.toLowerCase(Locale.ROOT).startsWith("application/grip-instruct"))) {
            return false;
        }
        GripInstruct ins = parseInstruct(originResponse, new byte[0]);
        if (ins == null) {
            c.release();
            return true;
        }
        byte[] soFar = ByteBufUtil.getBytes(gripBody);
        gripBody.release();
        gripBody = null;
        HeldResponse held = heldResponse(originResponse, soFar, ins);
        if (!sendable(held)) {
            c.release();
            return true;
        }
        enterHold();
        List<HoldChannel> chans = channels(ins);
        StreamHold sh = new StreamHold(ctx, conn.holdContext(), handoff(ins, held, chans, false), this);
        hold = sh;
        conn.observer().holdStarted("stream", names(chans), ins);
        streamingInitial = sh;
        if (!sh.writeHead()) {
            streamingInitial = null;
            c.release();
            dropOrigin();
            return true;
        }
        relayInitial(c);
        return true;
    }

    /** The origin broke off inside a stream's initial body: the stream can't be completed, the client is cut off. */
    private void cutInitial() {
        streamingInitial = null;
        logAccess("error");
        ((StreamHold) hold).cut();
        finish(false);
    }

    private void relayInitial(HttpContent c) {
        StreamHold sh = streamingInitial;
        boolean last = c instanceof LastHttpContent;
        ByteBuf b = c.content().retain();
        c.release();
        if (last) {
            originComplete();
            streamingInitial = null;
        }
        boolean empty = !b.isReadable();
        if (empty) {
            b.release();
        } else {
            sh.writeInitial(b).addListener(f -> {
                if (f.isSuccess() && origin != null && streamingInitial != null) {
                    if (ctx.channel().isWritable()) {
                        origin.read();
                    } else {
                        waitingWritable = true;
                    }
                }
            });
        }
        if (last) {
            sh.subscribe();
        } else if (empty && origin != null) {
            origin.read();
        }
    }

    /**
     * The instruction's channels and the target's {@code sub=} ones, route prefix applied, at most
     * {@code connection_subscription_max} (the rest are reported and not subscribed).
     */
    private List<HoldChannel> channels(GripInstruct ins) {
        return channelRules().apply(ins.channels(), px.drops(), connectionId());
    }

    /** The route's prefix, the target's {@code sub=} channels, {@code connection_subscription_max}. */
    private ChannelRules channelRules() {
        return new ChannelRules(
                route.prefix(), target == null ? List.of() : target.subs(), cfg.connectionSubscriptionMax());
    }

    private static List<String> names(List<HoldChannel> chans) {
        return chans.stream().map(HoldChannel::name).toList();
    }

    // ---- going back to the origin (retries, links) ----

    private String connectionId() {
        return ctx.channel().id().asShortText() + " " + ctx.channel().remoteAddress();
    }

    private boolean debug() {
        return cfg.debug() || (route != null && route.debug());
    }

    /** Pushpin's retry: the original request goes to the origin again, with what the hold knew as Grip-Last. */
    @Override
    public boolean retry(Map<String, String> gripLast) {
        if (state != State.HOLDING
                || streamingInitial != null
                || !ctx.channel().isActive()
                || requestCopy.size() > MAX_ACCEPT_REQUEST_BODY) {
            return false;
        }
        retries++;
        log.debug("retrying {} with Grip-Last {} (retry {})", originUri, gripLast, retries);
        conn.observer().holdEnded("retry");
        // the hold stays known: when the client leaves before the new answer, it posts its gone link
        state = State.CONNECTING;
        gotResponse = false;
        originResponse = null;
        skippingInformational = false;
        discardBody = false;
        bodyPartsSent = 0;
        responseBodyBytes = 0;
        originRequest = buildOriginRequest(originUri);
        for (Map.Entry<String, String> e : gripLast.entrySet()) {
            originRequest.headers().add(GripLast.HEADER, GripLast.format(e.getKey(), e.getValue()));
        }
        byte[] body = requestCopy.toByteArray();
        requestCopy.reset();
        originRequest.headers().remove(HttpHeaderNames.TRANSFER_ENCODING);
        if (body.length > 0 || requestLengthSet || requestChunked) {
            HttpUtil.setContentLength(originRequest, body.length);
        }
        pending.add(
                body.length == 0
                        ? LastHttpContent.EMPTY_LAST_CONTENT
                        : new DefaultLastHttpContent(Unpooled.wrappedBuffer(body)));
        targets.again(route.targets());
        nextTarget();
        return true;
    }

    @Override
    public void holdFinished(boolean keepAlive) {
        conn.observer().holdEnded("finished");
        finish(keepAlive);
    }

    // ---- client side ----

    void clientWritable() {
        if (state == State.RESPONDING && waitingWritable && origin != null) {
            waitingWritable = false;
            origin.read();
        } else if (streamingInitial != null && waitingWritable && origin != null) {
            waitingWritable = false;
            origin.read();
        } else if (state == State.HOLDING && hold != null) {
            hold.clientWritable();
        }
    }

    /** The proxy is stopping: a hold ends cleanly; anything else runs on until the connection is closed. */
    void shutdown() {
        if (state == State.HOLDING && hold != null && streamingInitial == null) {
            hold.shutdown();
        }
    }

    /**
     * The request's body turned out malformed (a bad chunk size, say): the exchange lets go of everything. True when
     * the client has had no byte of a response yet, so that it can still be told 400.
     */
    boolean badRequestBody() {
        boolean untouched = state == State.CONNECTING || state == State.REQUESTING || state == State.ACCEPTING;
        clientClosed();
        return untouched;
    }

    /** The client left: let go of everything at once. */
    void clientClosed() {
        State was = state;
        state = State.DONE;
        streamingInitial = null;
        releasePending();
        dropOrigin();
        if (hold != null && (was == State.HOLDING || retries > 0)) {
            hold.clientClosed();
        }
    }

    private void finish(boolean keepAlive) {
        if (state == State.DONE && hold == null) {
            return;
        }
        state = State.DONE;
        releasePending();
        conn.exchangeDone(this, keepAlive);
    }

    private void logAccess(String outcome) {
        if (!access.isInfoEnabled()) {
            return;
        }
        StringBuilder sb = new StringBuilder(req.method().name())
                .append(' ')
                .append(req.headers().get(HttpHeaderNames.HOST, ""))
                .append(req.uri());
        if (targets != null && targets.started()) {
            sb.append(" -> ").append(lastTried());
        }
        if (route != null && route.id() != null) {
            sb.append(" route=").append(route.id());
        }
        access.info(sb.append(' ').append(outcome).toString());
    }

    /** Requests that may be sent twice: only these are retried when a pooled connection turns out dead. */
    private boolean safeMethod() {
        HttpMethod m = req.method();
        return HttpMethod.GET.equals(m)
                || HttpMethod.HEAD.equals(m)
                || HttpMethod.OPTIONS.equals(m)
                || HttpMethod.TRACE.equals(m);
    }

    private String lastTried() {
        return targets == null ? "?" : targets.lastTried();
    }

    private void reject(int code, String reason, String message, String debugMessage) {
        boolean debug = cfg.debug() || (route != null && route.debug());
        respondText(code, reason, debug ? debugMessage : message);
    }

    /** Pushpin's error form: text/plain, the message and a newline. */
    private void respondText(int code, String reason, String message) {
        respondFull(
                code,
                reason,
                List.of(Map.entry("Content-Type", "text/plain")),
                (message + "\n").getBytes(StandardCharsets.UTF_8));
    }

    private void respondFull(int code, String reason, List<Map.Entry<String, String>> headers, byte[] body) {
        dropOrigin();
        releasePending();
        state = State.DONE;
        logAccess("code=" + code + " " + body.length);
        FullHttpResponse r = new DefaultFullHttpResponse(
                version,
                new HttpResponseStatus(code, reason),
                headRequest ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
        for (Map.Entry<String, String> h : headers) {
            r.headers().add(h.getKey(), h.getValue());
        }
        r.headers().remove(HttpHeaderNames.TRANSFER_ENCODING);
        HttpUtil.setContentLength(r, body.length);
        HttpUtil.setKeepAlive(r, clientKeepAlive);
        ctx.writeAndFlush(r).addListener(f -> conn.exchangeDone(this, clientKeepAlive && f.isSuccess()));
    }
}
