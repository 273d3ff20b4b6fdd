package dev.outpost.proxy.ws;

import dev.outpost.grip.publish.WsMessageType;
import dev.outpost.proxy.config.ProxyConfig;
import dev.outpost.proxy.observe.ConnectionObserver;
import dev.outpost.proxy.pubsub.Drops.Tally;
import dev.outpost.proxy.route.Route;
import dev.outpost.proxy.server.ProxyChannelInitializer;
import dev.outpost.proxy.session.ClientConnection;
import dev.outpost.proxy.session.ProxyContext;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client WebSocket: the handshake is answered once the origin has accepted it (the origin's 101 headers, or its
 * rejection, reach the client), then whole messages flow both ways through an {@link OriginLeg}. In GRIP mode
 * (origin's {@code grip} extension, or target {@code sub=}) the session also holds channel subscriptions and
 * handles control messages and published {@code ws-message} items.
 *
 * <p>The session is the state machine (CONNECTING → OPEN → CLOSING → DONE) and the close handshake; its parts do the
 * rest: {@link WsClientSide} writes to the client, {@link WsOriginSide} reaches the origin (failover, legs),
 * {@link WsGripControl} reads the origin's GRIP messages, {@link WsSubscriptions} holds the channels and takes
 * published items, {@link WsTimers} runs the keep-alive and the delayed message.
 *
 * <p>Pipeline position: replaces the HTTP connection handler; after the 101 the HTTP codec gives way to
 * {@code WebSocket13FrameDecoder} → {@code Utf8FrameValidator} → {@code WebSocketFrameAggregator} → this
 * ({@link ProxyChannelInitializer#toWebSocket}). It owns the origin leg, the subscriptions and the timers, and
 * releases them all when the client channel closes.
 *
 * <table>
 * <caption>Limits</caption>
 * <tr><td>frame payload from the client</td><td>{@value #MAX_FRAME} bytes, then close 1009</td></tr>
 * <tr><td>message from the client (all fragments)</td><td>{@value #MAX_MESSAGE} bytes, then close 1009</td></tr>
 * <tr><td>frames sent to the client</td><td>{@value WsClientSide#MAX_OUT_FRAME} bytes each (larger messages are
 * fragmented)</td></tr>
 * <tr><td>subscriptions</td><td>{@code connection_subscription_max} (20), then close 1008</td></tr>
 * <tr><td>unsent data before published messages are dropped</td><td>{@code websocket_queue_max} (4 MiB)</td></tr>
 * <tr><td>reading from the client</td><td>paused while it does not read what is written to it, and while the origin
 * leg is behind ({@code websocket_over_http_queue_max})</td></tr>
 * <tr><td>wait for the peer's close reply</td><td>{@value WsClientSide#CLOSE_WAIT_SECONDS} s</td></tr>
 * </table>
 */
final class WsSession extends ChannelInboundHandlerAdapter implements SessionControl, OriginLeg.Listener {
    private static final Logger log = LoggerFactory.getLogger(WsSession.class);
    /** One line per WebSocket, like the HTTP requests' lines. */
    private static final Logger access = LoggerFactory.getLogger("dev.outpost.proxy.access");

    static final int MAX_FRAME = 1_000_000;
    static final int MAX_MESSAGE = 1_000_000;
    static final int MAX_REJECT_BODY = 100_000;

    static final String ORIGIN_ERROR = "Error while proxying to origin.";

    private enum State {
        CONNECTING,
        OPEN,
        CLOSING,
        DONE
    }

    private final ProxyContext px;
    private final ConnectionObserver observer;
    private final ProxyConfig cfg;
    private final HttpRequest req;
    private final Route route;
    private final String uri;
    private final String cid;
    /** The handshake came from a trusted upstream proxy ({@code upstream_key}), which does the GRIP part itself. */
    private final boolean passToUpstream;

    private final WsOriginSide origin;
    private ChannelHandlerContext ctx;
    private WsClientSide client;
    private WsSubscriptions subscriptions;
    private WsTimers timers;
    private WsGripControl grip;

    private State state = State.CONNECTING;
    /** The client sent a close and waits for the reply. */
    private boolean clientClosing;

    private int clientCloseCode = -1;
    private String clientCloseReason = "";
    /** What limits did to this connection, made at the first. */
    private Tally tally;

    /**
     * The client's handshake request, the request target the origin gets (route rewrite applied), whether the client
     * counts as a TLS client ({@code ForwardedHeaders.secure}) and its address for {@code X-Forwarded-For} (or null).
     */
    record Handshake(HttpRequest req, String uri, boolean secure, String peer) {}

    WsSession(ProxyContext px, ConnectionObserver observer, Route route, Handshake handshake) {
        this.px = px;
        this.observer = observer;
        this.cfg = px.config();
        this.req = handshake.req();
        this.route = route;
        this.uri = handshake.uri();
        byte[] id = new byte[12];
        ThreadLocalRandom.current().nextBytes(id);
        this.cid = HexFormat.of().formatHex(id);
        // a GRIP proxy in front (upstream_key) handles GRIP itself: its Grip-* headers go on, and the origin's GRIP
        // messages go back to it untouched, as Pushpin passes such a session to upstream
        this.passToUpstream = px.trusted(req);
        this.origin = new WsOriginSide(px, route, handshake, cid, passToUpstream, this, () -> state == State.DONE);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.client = new WsClientSide(ctx);
        this.subscriptions = new WsSubscriptions(
                new WsSubscriptions.Context(
                        px.hub(),
                        observer,
                        route.prefix(),
                        cfg.connectionSubscriptionMax(),
                        px.limits().websocketQueueMax(),
                        ctx.executor(),
                        cid),
                uri,
                this,
                origin);
        this.timers = new WsTimers(ctx.executor(), this, client, observer);
        this.grip = new WsGripControl(uri, this, origin, subscriptions, timers);
    }

    /** Connects to the first target. */
    void start() {
        observer.requestReceived("GET", uri);
        String forwardedFor = origin.forwardedFor();
        if (forwardedFor != null) {
            observer.forwardedFor(forwardedFor);
        }
        ctx.channel().closeFuture().addListener(f -> ctx.executor().execute(this::teardown));
        connectNext();
    }

    private void connectNext() {
        if (state != State.CONNECTING) {
            return;
        }
        if (!origin.connectNext(ctx.channel().eventLoop())) {
            reject502("Unable to connect to any targets. Tried: " + String.join(", ", origin.tried()));
        }
    }

    // ---- the current origin leg (OriginLeg.Listener, through WsOriginSide) ----

    @Override
    public void opened(HttpHeaders h) {
        if (state != State.CONNECTING) {
            return;
        }
        String p = route.noGrip() || passToUpstream ? null : WsHeaders.gripPrefix(h);
        if (p != null) {
            grip.enable(p);
        }
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SWITCHING_PROTOCOLS);
        r.headers().add(WsHeaders.cleanOpenResponse(h));
        String ext = passToUpstream && !route.noGrip() ? WsHeaders.gripExtension(h) : null;
        if (ext != null) {
            // tell the upstream proxy to do the GRIP part
            r.headers().set("Sec-WebSocket-Extensions", ext);
        }
        r.headers().set("Upgrade", "websocket");
        r.headers().set("Connection", "Upgrade");
        r.headers().set("Sec-WebSocket-Accept", WsHeaders.accept(req.headers().get("Sec-WebSocket-Key")));
        state = State.OPEN;
        logAccess("code=101" + (grip.enabled() ? " grip" : ""));
        switchToWebSocket(r);
        if (!route.noGrip()) {
            for (String s : origin.target().subs()) {
                subscriptions.subscribe(s, true);
            }
        }
    }

    /**
     * Writes the 101 through the HTTP codec with the WebSocket codec already in front of it, so that messages
     * written right after the 101 are framed; the HTTP codec leaves once the 101 is out, then reading starts.
     */
    private void switchToWebSocket(FullHttpResponse r101) {
        observer.transportChanged("ws");
        Runnable httpLeaves = ProxyChannelInitializer.toWebSocket(ctx.pipeline(), MAX_FRAME, MAX_MESSAGE);
        ctx.writeAndFlush(r101).addListener(f -> {
            if (!f.isSuccess()) {
                ctx.close();
                return;
            }
            httpLeaves.run();
            updateReading();
        });
    }

    @Override
    public void rejected(int code, String reason, HttpHeaders headers, byte[] body) {
        if (state != State.CONNECTING) {
            return;
        }
        state = State.DONE;
        logAccess("code=" + code + " " + body.length);
        FullHttpResponse r = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, new HttpResponseStatus(code, reason), Unpooled.wrappedBuffer(body));
        r.headers().add(WsHeaders.cleanRejection(headers));
        HttpUtil.setContentLength(r, body.length);
        // Pushpin closes the connection after a refused upgrade; Outpost also says so
        HttpUtil.setKeepAlive(r, false);
        ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void unreachable(String why) {
        connectNext();
    }

    private void logAccess(String outcome) {
        if (access.isInfoEnabled()) {
            List<String> tried = origin.tried();
            access.info("GET " + req.headers().get("Host", "") + req.uri() + " (websocket)"
                    + (tried.isEmpty() ? "" : " -> " + tried.get(tried.size() - 1))
                    + (route.id() != null ? " route=" + route.id() : "") + " " + outcome);
        }
    }

    private void reject502(String debugMessage) {
        boolean debug = cfg.debug() || route.debug();
        byte[] body = ((debug ? debugMessage : ORIGIN_ERROR) + "\n").getBytes(StandardCharsets.UTF_8);
        HttpHeaders h = new DefaultHttpHeaders().set("Content-Type", "text/plain");
        rejected(502, "Bad Gateway", h, body);
    }

    @Override
    public void failed(String why) {
        if (state == State.CONNECTING) {
            reject502(why);
        } else if (!origin.detached()) {
            log.debug("WebSocket origin {} failed: {}", origin.target().address(), why);
            closeClient(1011, "origin error");
        }
    }

    @Override
    public void closed(int code, String reason) {
        if (origin.detached() || state == State.DONE) {
            return;
        }
        if (clientClosing) {
            // the origin answered the client's close: the reply carries the origin's code when it gave one
            int c = code >= 0 ? code : clientCloseCode;
            client.writeClose(c, c >= 0 ? (code >= 0 ? reason : clientCloseReason) : "")
                    .addListener(ChannelFutureListener.CLOSE);
            state = State.DONE;
            return;
        }
        closeClient(code, reason);
    }

    @Override
    public void disconnected() {
        if (!origin.detached()) {
            ctx.close();
        }
    }

    @Override
    public void message(Msg m) {
        if (state != State.OPEN || origin.detached()) {
            return;
        }
        Msg out = grip.fromOrigin(m);
        if (out != null) {
            sendToClient(out);
        }
    }

    @Override
    public void backlogChanged() {
        updateReading();
    }

    @Override
    public void limitHit(String limit, String detail) {
        tally().hit(limit, detail);
    }

    // ---- what the parts ask of the session (SessionControl) ----

    @Override
    public boolean open() {
        return state == State.OPEN;
    }

    @Override
    public void sendToClient(Msg m) {
        if (state == State.OPEN) {
            client.write(m);
        }
    }

    @Override
    public long unsentBytes() {
        return client.unsentBytes();
    }

    /** Starts a close with the client; the connection ends at its reply or after a while. */
    @Override
    public void closeClient(int code, String reason) {
        if (state != State.OPEN) {
            return;
        }
        state = State.CLOSING;
        client.writeClose(code, reason);
        client.awaitCloseReply(ctx::close);
    }

    @Override
    public Tally tally() {
        if (tally == null) {
            tally = px.drops()
                    .tally(ctx.channel().id().asShortText() + " "
                            + ctx.channel().remoteAddress());
        }
        return tally;
    }

    // ---- the client ----

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (!(msg instanceof WebSocketFrame f)) {
                // what is left of the handshake request
                return;
            }
            if (f instanceof CloseWebSocketFrame c) {
                clientClose(c);
                return;
            }
            if (state != State.OPEN) {
                return;
            }
            Msg m = Msg.of(f);
            if (m == null) {
                return;
            }
            if (!origin.live()) {
                if (m.type() == WsMessageType.PING) {
                    // nobody else will answer it
                    sendToClient(new Msg(WsMessageType.PONG, m.data()));
                }
                return;
            }
            origin.send(m);
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void clientClose(CloseWebSocketFrame c) {
        int code = c.content().readableBytes() >= 2 ? c.statusCode() : -1;
        String reason = code >= 0 ? c.reasonText() : "";
        if (state == State.CLOSING) {
            // the reply to our close; a WebSocket-over-HTTP origin that closed first gets it too
            state = State.DONE;
            origin.passCloseReply(code, reason);
            ctx.close();
            return;
        }
        if (state != State.OPEN) {
            return;
        }
        clientClosing = true;
        clientCloseCode = code;
        clientCloseReason = reason;
        if (!origin.live()) {
            state = State.DONE;
            client.writeClose(code, reason).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        state = State.CLOSING;
        client.awaitCloseReply(() -> {
            state = State.DONE;
            client.writeClose(clientCloseCode, clientCloseReason).addListener(ChannelFutureListener.CLOSE);
        });
        origin.close(code, reason);
    }

    /** The proxy stops: an open WebSocket gets a close 1001, one still connecting is dropped. */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt != ClientConnection.SHUTDOWN) {
            ctx.fireUserEventTriggered(evt);
            return;
        }
        if (state == State.OPEN) {
            origin.close(1001, "");
            closeClient(1001, "proxy shutting down");
        } else if (state == State.CONNECTING) {
            ctx.close();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        origin.clientWritable(ctx.channel().isWritable());
        updateReading();
        ctx.fireChannelWritabilityChanged();
    }

    /**
     * Reads from the client only while it takes what is written to it (echoes, pongs, the origin's messages) and the
     * origin side keeps up with what it sends: a client that floods without reading is held back by TCP, not by
     * memory. Only once the WebSocket is open; until then the HTTP side decides.
     */
    private void updateReading() {
        if (state != State.OPEN && state != State.CLOSING) {
            return;
        }
        client.reading(client.writable() && origin.acceptsMore());
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof TooLongFrameException) {
            log.debug("WebSocket {}: message from the client too big: {}", uri, cause.getMessage());
            closeClient(1009, "message too big");
            return;
        }
        log.debug("WebSocket {}: {}", uri, cause.toString());
        if (cause instanceof CorruptedWebSocketFrameException c && state == State.OPEN) {
            // RFC 6455 §7.1.7: a protocol error is answered with a close frame (1002, 1007, 1009), then the end
            state = State.DONE;
            WebSocketCloseStatus st = c.closeStatus();
            client.writeClose(st == null ? 1002 : st.code(), c.getMessage() == null ? "" : c.getMessage())
                    .addListener(ChannelFutureListener.CLOSE);
            return;
        }
        ctx.close();
    }

    private void teardown() {
        state = State.DONE;
        if (tally != null) {
            tally.close();
            tally = null;
        }
        subscriptions.closeAll();
        timers.cancel();
        client.cancelTimers();
        origin.disconnect();
    }
}
