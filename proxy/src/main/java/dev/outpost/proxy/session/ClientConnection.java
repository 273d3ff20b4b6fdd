package dev.outpost.proxy.session;

import dev.outpost.origin.Endpoint;
import dev.outpost.proxy.hold.HoldContext;
import dev.outpost.proxy.observe.ConnectionObserver;
import dev.outpost.proxy.route.Target;
import dev.outpost.proxy.ws.WsGateway;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection: runs its requests one after another, in order, each as a {@link ProxyExchange}.
 *
 * <p>Pipeline position: last, after {@code HttpServerCodec} and {@code HttpServerExpectContinueHandler}.
 * {@code AUTO_READ} is off: the connection reads when the current exchange wants more request body, or when no
 * exchange runs. While a response is pending it keeps reading so that a client that leaves is noticed at once;
 * what arrives meanwhile (pipelined requests) waits in {@link #queue}, and reading stops after
 * {@value #MAX_QUEUED} parts.
 */
public final class ClientConnection extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(ClientConnection.class);
    static final int MAX_QUEUED = 32;

    private final ProxyContext px;
    private ChannelHandlerContext ctx;
    /** Decoded parts not yet given to an exchange; owned here, released on close. */
    private final ArrayDeque<HttpObject> queue = new ArrayDeque<>(2); // grows for pipelined requests

    private ProxyExchange current;
    /** {@link #current} before its start: it first takes the body parts already queued. */
    private ProxyExchange unstarted;

    private boolean draining;
    private boolean closed;
    /** The proxy is stopping: no request after the current one. */
    private boolean stopping;

    /** Made when the handler is added: the channel's id is known from then on. */
    private ConnectionObserver observer = ConnectionObserver.NOOP;
    /** This loop's idle origin connections, and the pool key of the target last used (the same nearly always). */
    private Map<Endpoint, ArrayDeque<Channel>> idleOrigins;

    /** What this connection's holds share; made at the first hold. */
    private HoldContext holdContext;

    private Target lastTarget;
    private Endpoint lastEndpoint;
    private String lastTriedName;

    public ClientConnection(ProxyContext px) {
        this.px = px;
    }

    /** What this connection's sessions report through: the proxy's observer, bound to this connection's id. */
    public ConnectionObserver observer() {
        return observer;
    }

    Map<Endpoint, ArrayDeque<Channel>> idleOrigins() {
        Map<Endpoint, ArrayDeque<Channel>> m = idleOrigins;
        if (m == null) {
            m = idleOrigins = px.pool().idleOn(ctx.channel().eventLoop());
        }
        return m;
    }

    /** What this connection's holds share: the hub, drops, observer, limits and a way to send their links. */
    HoldContext holdContext() {
        HoldContext h = holdContext;
        if (h == null) {
            h = holdContext = new HoldContext(
                    px.hub(),
                    px.drops(),
                    observer,
                    connectionId(),
                    px.limits().streamQueueMax(),
                    new LinkRequests(px, ctx.channel().eventLoop()));
        }
        return h;
    }

    /** Names this connection in logs of dropped messages: its id and the client's address. */
    String connectionId() {
        return ctx.channel().id().asShortText() + " " + ctx.channel().remoteAddress();
    }

    ProxyContext px() {
        return px;
    }

    /** Where a (non-test) target is reached; the same instance while the same target is used (nearly always). */
    Endpoint endpointOf(Target t) {
        if (t != lastTarget) {
            lastEndpoint = t.endpoint();
            lastTriedName = lastEndpoint.address();
            lastTarget = t;
        }
        return lastEndpoint;
    }

    /** A target as error messages name it: its address, or {@code test}. */
    String nameOf(Target t) {
        if (t.kind() == Target.Kind.TEST) {
            return "test";
        }
        endpointOf(t);
        return lastTriedName;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.observer = ConnectionObserver.of(px.observer(), ctx.channel().id().asShortText());
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.read();
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (closed || !(msg instanceof HttpObject o)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        queue.add(o);
        // a head waits for the rest of this read: a body that came with it (a GET's empty last part) then goes to
        // the origin in the same write and flush as the head
        if (!(o instanceof HttpRequest)) {
            drain();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        drain();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (current != null && ctx.channel().isWritable()) {
            current.clientWritable();
        }
        ctx.fireChannelWritabilityChanged();
    }

    /** Fired at each client connection when the proxy stops. */
    public static final Object SHUTDOWN = new Object() {
        @Override
        public String toString() {
            return "SHUTDOWN";
        }
    };

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt != SHUTDOWN) {
            ctx.fireUserEventTriggered(evt);
            return;
        }
        stopping = true;
        if (current == null) {
            closed = true;
            ctx.close();
        } else {
            current.shutdown();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closed = true;
        HttpObject o;
        while ((o = queue.poll()) != null) {
            ReferenceCountUtil.release(o);
        }
        ProxyExchange x = current;
        current = null;
        unstarted = null;
        if (x != null) {
            x.clientClosed();
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("client connection {}: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }

    /** Hands queued parts to the exchanges, starting the next one when the previous is over. */
    void drain() {
        if (draining) {
            return;
        }
        draining = true;
        try {
            while (!closed) {
                HttpObject o = queue.peek();
                if (unstarted != null && (!(o instanceof HttpContent) || !unstarted.acceptsRequestContent())) {
                    ProxyExchange x = unstarted;
                    unstarted = null;
                    x.start();
                    continue;
                }
                if (o == null) {
                    break;
                }
                if (current == null) {
                    queue.poll();
                    if (o instanceof HttpRequest req) {
                        if (req.decoderResult().isFailure()) {
                            ReferenceCountUtil.release(o);
                            badRequest(req.decoderResult().cause());
                            return;
                        }
                        RequestChecks.Refusal refusal = RequestChecks.check(req);
                        if (refusal != null) {
                            ReferenceCountUtil.release(o);
                            log.debug(
                                    "request from {} refused: {}", ctx.channel().remoteAddress(), refusal.message());
                            refuse(refusal.code(), refusal.message());
                            return;
                        }
                        if (WsGateway.divert(ctx, px, req, observer)) {
                            // a WebSocket (or refused) request: the connection is no longer HTTP for this handler
                            handedOff();
                            return;
                        }
                        if (WsGateway.refuseEvents(ctx, px, req)) {
                            // answered 403; the body parts that follow are dropped below
                            continue;
                        }
                        current = new ProxyExchange(this, px, req);
                        unstarted = current;
                    } else {
                        // the rest of a body nobody waits for
                        ReferenceCountUtil.release(o);
                    }
                } else if (current.acceptsRequestContent() && o instanceof HttpContent c) {
                    queue.poll();
                    if (c.decoderResult().isFailure()) {
                        Throwable cause = c.decoderResult().cause();
                        c.release();
                        ProxyExchange x = current;
                        current = null;
                        unstarted = null;
                        // a broken body (a bad chunk size, say): a 400 when no response has started, else a cut
                        if (x.badRequestBody()) {
                            badRequest(cause);
                        } else {
                            closed = true;
                            ctx.close();
                        }
                        return;
                    }
                    current.requestContent(c);
                } else {
                    break;
                }
            }
        } finally {
            draining = false;
        }
        maybeRead();
    }

    private void maybeRead() {
        if (closed || !ctx.channel().isActive()) {
            return;
        }
        if (current == null) {
            if (queue.isEmpty()) {
                ctx.read();
            }
        } else if (current.requestOpen()) {
            if (queue.isEmpty() && current.acceptsRequestContent()) {
                ctx.read();
            }
        } else if (queue.size() < MAX_QUEUED) {
            ctx.read();
        }
    }

    /** The exchange wrote its last byte. Called on the event loop, once per exchange. */
    void exchangeDone(ProxyExchange x, boolean keepAlive) {
        if (current != x) {
            return;
        }
        current = null;
        if (!keepAlive || closed || stopping) {
            closed = true;
            ctx.close();
            return;
        }
        drain();
    }

    private void handedOff() {
        closed = true;
        HttpObject o;
        while ((o = queue.poll()) != null) {
            ReferenceCountUtil.release(o);
        }
    }

    /** The exchange can take more request body. */
    void requestMore() {
        drain();
    }

    ChannelHandlerContext ctx() {
        return ctx;
    }

    private void badRequest(Throwable cause) {
        log.debug("bad request from {}: {}", ctx.channel().remoteAddress(), String.valueOf(cause));
        refuse(400, "Bad Request");
    }

    /** Answers {@code code} with {@code message} and closes: what follows on the connection can't be trusted. */
    private void refuse(int code, String message) {
        closed = true;
        FullHttpResponse r = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(code),
                Unpooled.copiedBuffer(message + "\n", StandardCharsets.UTF_8));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain");
        HttpUtil.setContentLength(r, r.content().readableBytes());
        HttpUtil.setKeepAlive(r, false);
        ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
    }
}
