package dev.outpost.proxy.ws;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.outpost.grip.control.ControlMessage;
import dev.outpost.grip.control.ControlMessageException;
import dev.outpost.grip.control.ControlMessageParser;
import dev.outpost.grip.instruct.KeepAliveMode;
import dev.outpost.grip.publish.PublishItem;
import dev.outpost.grip.publish.WsMessageFormat;
import dev.outpost.grip.publish.WsMessageType;
import dev.outpost.proxy.config.ProxyConfig;
import dev.outpost.proxy.observe.ConnectionObserver;
import dev.outpost.proxy.observe.DropReason;
import dev.outpost.proxy.pubsub.Delivery;
import dev.outpost.proxy.pubsub.DeliveryFilter;
import dev.outpost.proxy.pubsub.DeliveryFormat;
import dev.outpost.proxy.pubsub.Drops.Tally;
import dev.outpost.proxy.pubsub.FilterInputs;
import dev.outpost.proxy.pubsub.Subscriber;
import dev.outpost.proxy.pubsub.Subscription;
import dev.outpost.proxy.route.Route;
import dev.outpost.proxy.route.Target;
import dev.outpost.proxy.session.ClientConnection;
import dev.outpost.proxy.session.ProxyContext;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.Utf8FrameValidator;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client WebSocket: the handshake is answered once the origin has accepted it (the origin's 101 headers, or its
 * rejection, reach the client), then whole messages flow both ways through an {@link OriginLeg}. In GRIP mode
 * (origin's {@code grip} extension, or target {@code sub=}) the session also holds channel subscriptions and
 * handles control messages and published {@code ws-message} items.
 *
 * <p>Pipeline position: replaces the HTTP connection handler; after the 101 the HTTP codec gives way to
 * {@code WebSocket13FrameDecoder} → {@code Utf8FrameValidator} → {@code WebSocketFrameAggregator} → this.
 * It owns the origin leg, the subscriptions and the timers, and releases them all when the client channel closes.
 *
 * <table>
 * <caption>Limits</caption>
 * <tr><td>frame payload from the client</td><td>{@value #MAX_FRAME} bytes, then close 1009</td></tr>
 * <tr><td>message from the client (all fragments)</td><td>{@value #MAX_MESSAGE} bytes, then close 1009</td></tr>
 * <tr><td>frames sent to the client</td><td>{@value #MAX_OUT_FRAME} bytes each (larger messages are fragmented)</td></tr>
 * <tr><td>subscriptions</td><td>{@code connection_subscription_max} (20), then close 1008</td></tr>
 * <tr><td>unsent data before published messages are dropped</td><td>{@code websocket_queue_max} (4 MiB)</td></tr>
 * <tr><td>reading from the client</td><td>paused while it does not read what is written to it, and while the origin
 * leg is behind ({@code websocket_over_http_queue_max})</td></tr>
 * <tr><td>wait for the peer's close reply</td><td>{@value #CLOSE_WAIT_SECONDS} s</td></tr>
 * </table>
 */
final class WsSession extends ChannelInboundHandlerAdapter implements Subscriber, FilterInputs {
    private static final Logger log = LoggerFactory.getLogger(WsSession.class);
    /** One line per WebSocket, like the HTTP requests' lines. */
    private static final Logger access = LoggerFactory.getLogger("dev.outpost.proxy.access");

    static final int MAX_FRAME = 1_000_000;
    static final int MAX_MESSAGE = 1_000_000;
    static final int MAX_OUT_FRAME = 16_384;
    static final int MAX_REJECT_BODY = 100_000;
    static final int CLOSE_WAIT_SECONDS = 5;

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
    private final HttpHeaders originHeaders;
    private final ArrayDeque<Target> targets = new ArrayDeque<>();
    private final List<String> tried = new ArrayList<>();
    private final String cid;
    private ChannelHandlerContext ctx;
    private State state = State.CONNECTING;
    private Target target;
    private OriginLeg leg;
    private boolean legDone;
    private boolean detached;
    /** GRIP messages from the origin: prefix required, {@code c:} control messages. */
    private boolean gripMessages;
    /** The handshake came from a trusted upstream proxy ({@code upstream_key}), which does the GRIP part itself. */
    private final boolean passToUpstream;

    private byte[] prefix = new byte[0];
    /** The client sent a close and waits for the reply. */
    private boolean clientClosing;

    private int clientCloseCode = -1;
    private String clientCloseReason = "";
    private final Map<String, Subscription> subscriptions = new LinkedHashMap<>();
    private final Map<String, String> subMeta = new HashMap<>();
    /** Each subscription's filters ({@code subscribe} control message), by full channel name. */
    private final Map<String, List<String>> subFilters = new HashMap<>();

    private ControlMessage.KeepAlive keepAlive;
    private ScheduledFuture<?> keepAliveTimer;
    private ScheduledFuture<?> delayedTimer;
    private ControlMessage.SendDelayed delayed;
    private ScheduledFuture<?> closeTimer;
    private long lastClientWriteNanos = System.nanoTime();
    /** What limits did to this connection, made at the first. */
    private Tally tally;

    /** The client's handshake request and the request target the origin gets (route rewrite applied). */
    record Handshake(HttpRequest req, String uri) {}

    WsSession(ProxyContext px, ConnectionObserver observer, Route route, Handshake handshake) {
        this.px = px;
        this.observer = observer;
        this.cfg = px.config();
        this.req = handshake.req();
        this.route = route;
        this.uri = handshake.uri();
        this.targets.addAll(route.targets());
        byte[] id = new byte[12];
        ThreadLocalRandom.current().nextBytes(id);
        this.cid = HexFormat.of().formatHex(id);
        // a GRIP proxy in front (upstream_key) handles GRIP itself: its Grip-* headers go on, and the origin's GRIP
        // messages go back to it untouched, as Pushpin passes such a session to upstream
        this.passToUpstream = px.trusted(req);
        this.originHeaders = WsHeaders.cleanRequest(req.headers(), cfg.acceptPushpinRoute(), passToUpstream);
        if (route.asHost() != null && !route.asHost().isEmpty()) {
            originHeaders.set("Host", route.asHost());
        }
        for (Map.Entry<String, String> h : route.headers()) {
            originHeaders.remove(h.getKey());
            if (h.getValue() != null && !h.getValue().isEmpty()) {
                originHeaders.add(h.getKey(), h.getValue());
            }
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    /** Connects to the first target. */
    void start() {
        observer.requestReceived("GET", uri);
        String forwardedFor = originHeaders.get("X-Forwarded-For");
        if (forwardedFor != null) {
            observer.forwardedFor(forwardedFor);
        }
        ctx.channel().closeFuture().addListener(f -> ctx.executor().execute(this::teardown));
        nextTarget();
    }

    String gripSig() {
        if (route.noGrip() || passToUpstream) {
            // a trusted upstream's own Grip-Sig goes on instead
            return null;
        }
        CharSequence token = px.signer(route).sign();
        return token == null ? null : token.toString();
    }

    private void nextTarget() {
        if (state != State.CONNECTING) {
            return;
        }
        target = targets.poll();
        if (target == null) {
            reject502("Unable to connect to any targets. Tried: " + String.join(", ", tried));
            return;
        }
        tried.add(target.address());
        legDone = false;
        Events events = new Events();
        if (target.kind() == Target.Kind.TEST) {
            leg = new TestLeg(ctx.channel().eventLoop(), uri, events);
        } else {
            HttpHeaders h = originHeaders.copy();
            if (target.hostHeader() != null) {
                h.set("Host", target.hostHeader());
            } else if (!h.contains("Host")) {
                h.set("Host", target.address());
            }
            if (target.overHttp()) {
                leg = new WohLeg(
                        ctx.channel().eventLoop(),
                        px.connector(),
                        target,
                        uri,
                        h,
                        this::gripSig,
                        !route.noGrip(),
                        cid,
                        px.limits(),
                        events);
            } else {
                if (!route.noGrip()) {
                    h.set("Sec-WebSocket-Extensions", "grip");
                    String sig = gripSig();
                    if (sig != null) {
                        h.set("Grip-Sig", sig);
                    }
                }
                leg = new WsOriginLeg(ctx.channel().eventLoop(), px.connector(), target, uri, h, events);
            }
        }
        events.leg = leg;
        leg.start();
    }

    // ---- origin events ----

    /** Callbacks of one leg; a leg left behind by failover is not heard. */
    private final class Events implements OriginLeg.Listener {
        OriginLeg leg;

        private boolean current() {
            return leg == WsSession.this.leg && state != State.DONE;
        }

        @Override
        public void opened(HttpHeaders h) {
            if (current()) {
                originOpened(h);
            }
        }

        @Override
        public void rejected(int code, String reason, HttpHeaders headers, byte[] body) {
            if (current()) {
                legDone = true;
                originRejected(code, reason, headers, body);
            }
        }

        @Override
        public void unreachable(String why) {
            if (current()) {
                legDone = true;
                log.debug("WebSocket target {} unreachable: {}", target.address(), why);
                nextTarget();
            }
        }

        @Override
        public void failed(String why) {
            if (current()) {
                legDone = true;
                originFailed(why);
            }
        }

        @Override
        public void message(Msg m) {
            if (current()) {
                originMessage(m);
            }
        }

        @Override
        public void closed(int code, String reason) {
            if (current()) {
                legDone = true;
                originClosed(code, reason);
            }
        }

        @Override
        public void disconnected() {
            if (current()) {
                legDone = true;
                if (!detached) {
                    ctx.close();
                }
            }
        }

        @Override
        public void backlogChanged() {
            if (current()) {
                updateReading();
            }
        }

        @Override
        public void limitHit(String limit, String detail) {
            if (leg == WsSession.this.leg) {
                tally().hit(limit, detail);
            }
        }
    }

    private void originOpened(HttpHeaders h) {
        if (state != State.CONNECTING) {
            return;
        }
        String p = route.noGrip() || passToUpstream ? null : WsHeaders.gripPrefix(h);
        if (p != null) {
            gripMessages = true;
            prefix = p.getBytes(StandardCharsets.UTF_8);
        }
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SWITCHING_PROTOCOLS);
        r.headers().add(WsHeaders.cleanOpenResponse(h));
        String grip = passToUpstream && !route.noGrip() ? WsHeaders.gripExtension(h) : null;
        if (grip != null) {
            // tell the upstream proxy to do the GRIP part
            r.headers().set("Sec-WebSocket-Extensions", grip);
        }
        r.headers().set("Upgrade", "websocket");
        r.headers().set("Connection", "Upgrade");
        r.headers().set("Sec-WebSocket-Accept", WsHeaders.accept(req.headers().get("Sec-WebSocket-Key")));
        state = State.OPEN;
        logAccess("code=101" + (gripMessages ? " grip" : ""));
        switchToWebSocket(r);
        if (!route.noGrip()) {
            for (String s : target.subs()) {
                subscribe(s, true);
            }
        }
    }

    /**
     * Writes the 101 through the HTTP codec and puts the WebSocket codec in front of it at once, so that messages
     * written right after the 101 are framed; the HTTP codec leaves once the 101 is out, then reading starts.
     */
    private void switchToWebSocket(FullHttpResponse r101) {
        observer.transportChanged("ws");
        ChannelPipeline p = ctx.pipeline();
        HttpServerCodec codec = p.get(HttpServerCodec.class);
        String codecName = p.context(codec).name();
        WebSocketDecoderConfig dc = WebSocketDecoderConfig.newBuilder()
                .maxFramePayloadLength(MAX_FRAME)
                .expectMaskedFrames(true)
                .allowMaskMismatch(false)
                .allowExtensions(false)
                // the close for a protocol error is sent here (exceptionCaught): Netty's own sends none when the
                // bad frame is itself a close, as one with code 999
                .closeOnProtocolViolation(false)
                .build();
        p.addBefore(codecName, "ws-encoder", new WebSocket13FrameEncoder(false));
        p.addBefore(codecName, "ws-decoder", new WebSocket13FrameDecoder(dc));
        p.addBefore(codecName, "ws-utf8", new Utf8FrameValidator(false));
        p.addBefore(codecName, "ws-aggregator", new WebSocketFrameAggregator(MAX_MESSAGE));
        // the 101 goes through the HTTP codec; the frame encoder lets the encoded bytes pass
        ctx.writeAndFlush(r101).addListener(f -> {
            if (!f.isSuccess()) {
                ctx.close();
                return;
            }
            if (p.get(HttpServerExpectContinueHandler.class) != null) {
                p.remove(HttpServerExpectContinueHandler.class);
            }
            p.remove(codec);
            updateReading();
        });
    }

    private void originRejected(int code, String reason, HttpHeaders headers, byte[] body) {
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

    private void logAccess(String outcome) {
        if (access.isInfoEnabled()) {
            access.info("GET " + req.headers().get("Host", "") + req.uri() + " (websocket)"
                    + (tried.isEmpty() ? "" : " -> " + tried.get(tried.size() - 1))
                    + (route.id() != null ? " route=" + route.id() : "") + " " + outcome);
        }
    }

    private void reject502(String debugMessage) {
        boolean debug = cfg.debug() || route.debug();
        byte[] body = ((debug ? debugMessage : ORIGIN_ERROR) + "\n").getBytes(StandardCharsets.UTF_8);
        HttpHeaders h = new DefaultHttpHeaders().set("Content-Type", "text/plain");
        originRejected(502, "Bad Gateway", h, body);
    }

    private void originFailed(String why) {
        if (state == State.CONNECTING) {
            reject502(why);
        } else if (!detached) {
            log.debug("WebSocket origin {} failed: {}", target.address(), why);
            closeClient(1011, "origin error");
        }
    }

    private void originClosed(int code, String reason) {
        if (detached || state == State.DONE) {
            return;
        }
        if (clientClosing) {
            // the origin answered the client's close: the reply carries the origin's code when it gave one
            int c = code >= 0 ? code : clientCloseCode;
            writeClose(c, c >= 0 ? (code >= 0 ? reason : clientCloseReason) : "")
                    .addListener(ChannelFutureListener.CLOSE);
            state = State.DONE;
            return;
        }
        closeClient(code, reason);
    }

    private void originMessage(Msg m) {
        if (state != State.OPEN || detached) {
            return;
        }
        if (gripMessages && m.isData()) {
            if (m.type() == WsMessageType.TEXT && ControlMessageParser.isControl(m.data())) {
                control(m.data());
                return;
            }
            if (prefix.length > 0) {
                if (!m.startsWith(prefix)) {
                    log.debug(
                            "WebSocket {}: dropping origin message without the prefix {}",
                            uri,
                            new String(prefix, StandardCharsets.UTF_8));
                    return;
                }
                m = m.dropPrefix(prefix.length);
            }
        }
        writeClient(m);
    }

    // ---- control messages ----

    private void control(byte[] data) {
        ControlMessage c;
        try {
            c = ControlMessageParser.parse(data);
        } catch (ControlMessageException e) {
            if (e.getMessage().startsWith("subscribe: filters: ")
                    && e.getMessage().contains("at most")) {
                log.info("WebSocket {}: {}", uri, e.getMessage());
                closeClient(1011, "too many filters for channel '" + channelOf(data) + "'");
                return;
            }
            log.debug("WebSocket {}: ignoring control message: {}", uri, e.getMessage());
            return;
        }
        switch (c) {
            case ControlMessage.Subscribe s -> {
                subscribe(s.channel(), false);
                String name = (route.prefix() == null ? "" : route.prefix()) + s.channel();
                if (subscriptions.containsKey(name)) {
                    subFilters.put(name, s.filters());
                }
            }
            case ControlMessage.Unsubscribe u -> unsubscribe(u.channel());
            case ControlMessage.Detach d -> detach();
            case ControlMessage.SetMeta sm -> {
                if (sm.value() == null) {
                    subMeta.remove(sm.name());
                } else {
                    subMeta.put(sm.name(), sm.value());
                }
                observer.metaChanged(subMeta);
            }
            case ControlMessage.KeepAlive k -> setKeepAlive(k);
            case ControlMessage.SendDelayed sd -> {
                cancelDelayed();
                delayed = sd;
                delayedTimer =
                        ctx.executor().schedule(this::flushDelayed, Math.max(0, sd.timeoutSeconds()), TimeUnit.SECONDS);
            }
            case ControlMessage.FlushDelayed fd -> flushDelayed();
            case ControlMessage.Session s -> {
                // session tracking needs a state service Outpost does not have
            }
        }
    }

    private static String channelOf(byte[] control) {
        try {
            return new ObjectMapper()
                    .readTree(control, 2, control.length - 2)
                    .path("channel")
                    .asText("");
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    private void subscribe(String channel, boolean implicit) {
        String name = (route.prefix() == null ? "" : route.prefix()) + channel;
        if (subscriptions.containsKey(name) || state != State.OPEN) {
            return;
        }
        int max = cfg.connectionSubscriptionMax();
        if (max > 0 && subscriptions.size() >= max) {
            log.info("WebSocket {}: subscription to {} refused, at most {} per connection", uri, name, max);
            closeClient(1008, "too many subscriptions (at most " + max + ")");
            return;
        }
        subscriptions.put(name, px.hub().subscribe(name, this));
        observer.subscribed(name);
        log.debug("WebSocket {} subscribed to {}{}", uri, name, implicit ? " (implicit)" : "");
    }

    private void unsubscribe(String channel) {
        if (target.subs().contains(channel)) {
            return;
        }
        String name = (route.prefix() == null ? "" : route.prefix()) + channel;
        subFilters.remove(name);
        Subscription s = subscriptions.remove(name);
        if (s != null) {
            s.close();
            observer.unsubscribed(name);
        }
    }

    private void detach() {
        if (detached) {
            return;
        }
        detached = true;
        if (!legDone) {
            leg.close(-1, "");
        }
    }

    private void setKeepAlive(ControlMessage.KeepAlive k) {
        if (keepAliveTimer != null) {
            keepAliveTimer.cancel(false);
            keepAliveTimer = null;
        }
        keepAlive = k.enabled() && k.timeoutSeconds() > 0 ? k : null;
        if (keepAlive != null) {
            scheduleKeepAlive(keepAlive.timeoutSeconds() * 1000L);
        }
    }

    private void scheduleKeepAlive(long millis) {
        keepAliveTimer = ctx.executor().schedule(this::keepAliveDue, Math.max(1, millis), TimeUnit.MILLISECONDS);
    }

    private void keepAliveDue() {
        ControlMessage.KeepAlive k = keepAlive;
        if (k == null || state != State.OPEN) {
            return;
        }
        long period = k.timeoutSeconds() * 1000L;
        if (k.mode() == KeepAliveMode.IDLE) {
            long idle = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastClientWriteNanos);
            if (idle < period) {
                scheduleKeepAlive(period - idle);
                return;
            }
        }
        writeClient(new Msg(k.type(), k.content()));
        observer.keepAliveSent();
        scheduleKeepAlive(period);
    }

    private void flushDelayed() {
        ControlMessage.SendDelayed d = delayed;
        cancelDelayed();
        if (d != null && state == State.OPEN) {
            writeClient(new Msg(d.type(), d.content()));
        }
    }

    private void cancelDelayed() {
        delayed = null;
        if (delayedTimer != null) {
            delayedTimer.cancel(false);
            delayedTimer = null;
        }
    }

    // ---- published items ----

    @Override
    public DeliveryFormat format() {
        return DeliveryFormat.WS_MESSAGE;
    }

    @Override
    public EventExecutor executor() {
        return ctx.executor();
    }

    // what the subscription filters read

    @Override
    public Map<String, String> meta() {
        return subMeta;
    }

    @Override
    public List<String> filters(String channel) {
        return subFilters.getOrDefault(channel, List.of());
    }

    @Override
    public boolean subscribedTo(String channel) {
        return subscriptions.containsKey(channel);
    }

    @Override
    public String connectionId() {
        return cid;
    }

    @Override
    public void deliver(Delivery d) {
        ByteBuf out = DeliveryFilter.apply(
                this,
                d.channel(),
                d.item(),
                DeliveryFormat.WS_MESSAGE,
                d.payload().retainedDuplicate());
        if (out == null) {
            observer.notDelivered(d.channel(), d.item(), DropReason.FILTERED);
            return;
        }
        onMessage(d.channel(), d.item(), out);
    }

    /** One published message after the subscription's filters; {@code payload} is owned here. */
    private void onMessage(String channel, PublishItem item, ByteBuf payload) {
        // the payload is the content after the subscription's filters
        byte[] content = ByteBufUtil.getBytes(payload);
        payload.release();
        WsMessageFormat w = item.wsMessage();
        if (w == null || state != State.OPEN) {
            observer.notDelivered(channel, item, w == null ? DropReason.NO_FORMAT : DropReason.CLOSED);
            return;
        }
        switch (w.action()) {
            case SEND -> {
                var out = ctx.channel().unsafe().outboundBuffer();
                long max = px.limits().websocketQueueMax();
                if (out != null && out.totalPendingWriteBytes() > max) {
                    tally().drop(
                                    "session_queue",
                                    channel,
                                    (item.id() == null ? "an item" : "item " + item.id()) + ": "
                                            + out.totalPendingWriteBytes()
                                            + " bytes not yet written to the client (websocket_queue_max " + max
                                            + "), client not reading");
                    observer.notDelivered(channel, item, DropReason.DROPPED_QUEUE_FULL);
                    return;
                }
                observer.delivered(channel, item);
                writeClient(new Msg(w.type(), content));
            }
            case CLOSE -> {
                observer.acted(channel, item, "close");
                if (!legDone && !detached) {
                    leg.close(-1, "");
                }
                closeClient(w.closeCode(), w.closeReason());
            }
            case REFRESH -> {
                observer.acted(channel, item, "refresh");
                if (!legDone && !detached) {
                    leg.refresh();
                }
            }
            case HINT ->
                // no meaning for WebSockets, as in Pushpin
                observer.notDelivered(channel, item, DropReason.UNSUPPORTED_ACTION);
        }
    }

    // ---- client side ----

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
            Msg m;
            if (f instanceof TextWebSocketFrame) {
                m = new Msg(WsMessageType.TEXT, ByteBufUtil.getBytes(f.content()));
            } else if (f instanceof BinaryWebSocketFrame) {
                m = new Msg(WsMessageType.BINARY, ByteBufUtil.getBytes(f.content()));
            } else if (f instanceof PingWebSocketFrame) {
                m = new Msg(WsMessageType.PING, ByteBufUtil.getBytes(f.content()));
            } else if (f instanceof PongWebSocketFrame) {
                m = new Msg(WsMessageType.PONG, ByteBufUtil.getBytes(f.content()));
            } else {
                return;
            }
            if (detached || legDone) {
                if (m.type() == WsMessageType.PING) {
                    // nobody else will answer it
                    writeClient(new Msg(WsMessageType.PONG, m.data()));
                }
                return;
            }
            leg.send(m);
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
            if (leg != null && !detached) {
                leg.close(code, reason);
            }
            ctx.close();
            return;
        }
        if (state != State.OPEN) {
            return;
        }
        clientClosing = true;
        clientCloseCode = code;
        clientCloseReason = reason;
        if (detached || legDone) {
            state = State.DONE;
            writeClose(code, reason).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        state = State.CLOSING;
        closeTimer = ctx.executor()
                .schedule(
                        () -> {
                            state = State.DONE;
                            writeClose(clientCloseCode, clientCloseReason).addListener(ChannelFutureListener.CLOSE);
                        },
                        CLOSE_WAIT_SECONDS,
                        TimeUnit.SECONDS);
        leg.close(code, reason);
    }

    /** Starts a close with the client; the connection ends at its reply or after {@value #CLOSE_WAIT_SECONDS} s. */
    private void closeClient(int code, String reason) {
        if (state != State.OPEN) {
            return;
        }
        state = State.CLOSING;
        writeClose(code, reason);
        closeTimer = ctx.executor()
                .schedule(
                        () -> {
                            ctx.close();
                        },
                        CLOSE_WAIT_SECONDS,
                        TimeUnit.SECONDS);
    }

    private ChannelFuture writeClose(int code, String reason) {
        return ctx.writeAndFlush(WsHeaders.closeFrame(code, reason));
    }

    private void writeClient(Msg m) {
        if (state != State.OPEN) {
            return;
        }
        lastClientWriteNanos = System.nanoTime();
        byte[] d = m.data();
        if (!m.isData() || d.length <= MAX_OUT_FRAME) {
            ctx.writeAndFlush(frame(m));
            return;
        }
        // large messages go out in fragments, as Pushpin does
        for (int off = 0; off < d.length; off += MAX_OUT_FRAME) {
            int n = Math.min(MAX_OUT_FRAME, d.length - off);
            boolean fin = off + n >= d.length;
            ByteBuf b = Unpooled.wrappedBuffer(d, off, n);
            WebSocketFrame f = off == 0
                    ? (m.type() == WsMessageType.TEXT
                            ? new TextWebSocketFrame(fin, 0, b)
                            : new BinaryWebSocketFrame(fin, 0, b))
                    : new ContinuationWebSocketFrame(fin, 0, b);
            ctx.write(f);
        }
        ctx.flush();
    }

    static WebSocketFrame frame(Msg m) {
        ByteBuf b = Unpooled.wrappedBuffer(m.data());
        return switch (m.type()) {
            case TEXT -> new TextWebSocketFrame(b);
            case BINARY -> new BinaryWebSocketFrame(b);
            case PING -> new PingWebSocketFrame(b);
            case PONG -> new PongWebSocketFrame(b);
        };
    }

    /** The proxy stops: an open WebSocket gets a close 1001, one still connecting is dropped. */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt != ClientConnection.SHUTDOWN) {
            ctx.fireUserEventTriggered(evt);
            return;
        }
        if (state == State.OPEN) {
            if (leg != null && !legDone && !detached) {
                leg.close(1001, "");
            }
            closeClient(1001, "proxy shutting down");
        } else if (state == State.CONNECTING) {
            ctx.close();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (leg != null && !legDone) {
            leg.clientWritable(ctx.channel().isWritable());
        }
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
        boolean writable = ctx.channel().isWritable();
        boolean legReady = leg == null || legDone || detached || leg.acceptsMore();
        boolean read = writable && legReady;
        var config = ctx.channel().config();
        if (config.isAutoRead() == read) {
            return;
        }
        config.setAutoRead(read);
    }

    private Tally tally() {
        if (tally == null) {
            tally = px.drops()
                    .tally(ctx.channel().id().asShortText() + " "
                            + ctx.channel().remoteAddress());
        }
        return tally;
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
            writeClose(st == null ? 1002 : st.code(), c.getMessage() == null ? "" : c.getMessage())
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
        for (Subscription s : subscriptions.values()) {
            s.close();
        }
        subscriptions.clear();
        keepAlive = null;
        if (keepAliveTimer != null) {
            keepAliveTimer.cancel(false);
        }
        if (closeTimer != null) {
            closeTimer.cancel(false);
        }
        cancelDelayed();
        if (leg != null && !legDone) {
            legDone = true;
            leg.disconnect();
        }
    }
}
