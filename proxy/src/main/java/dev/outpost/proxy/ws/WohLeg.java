package dev.outpost.proxy.ws;

import dev.outpost.grip.publish.WsMessageType;
import dev.outpost.grip.wsovh.WsEvent;
import dev.outpost.grip.wsovh.WsEventCodec;
import dev.outpost.grip.wsovh.WsEventException;
import dev.outpost.origin.OriginConnector;
import dev.outpost.proxy.route.Target;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A WebSocket-over-HTTP origin ({@code over_http} target), as Pushpin's {@code proxy/websocketoverhttp.cpp}: client
 * events are batched into POSTs, one request at a time so that order holds; each answer carries events back. The
 * origin connection is kept between requests while the origin allows it.
 *
 * <table>
 * <caption>Limits</caption>
 * <tr><td>request body (batch)</td><td>{@value WohQueue#MAX_BATCH} bytes, at least one event</td></tr>
 * <tr><td>response body</td><td>{@value #MAX_RESPONSE} bytes</td></tr>
 * <tr><td>retries after a connect error (not while opening)</td><td>{@value #RETRY_MAX}, 1 s·2ⁿ + 0–1 s</td></tr>
 * <tr><td>Keep-Alive-Interval</td><td>at least {@value #MIN_KEEP_ALIVE_SECONDS} s</td></tr>
 * <tr><td>client events waiting</td><td>{@code websocket_over_http_queue_max} bytes (as Pushpin's buffer), then the
 * client is not read from until the origin has taken them</td></tr>
 * <tr><td>wait for each response</td><td>{@code origin_response_timeout}, then the connection fails (1011)</td></tr>
 * </table>
 *
 * <p>When the client leaves, what it sent and the origin has not been given is dropped: the origin gets the request
 * in flight (if any) and then one {@code DISCONNECT}, as in Pushpin.
 */
final class WohLeg implements OriginLeg {
    private static final Logger log = LoggerFactory.getLogger(WohLeg.class);
    static final int MAX_RESPONSE = 1_000_000;
    static final int RETRY_MAX = 5;
    static final int MIN_KEEP_ALIVE_SECONDS = 20;
    /** Base retry delay; tests lower it so that retries don't take seconds. */
    static volatile long retryBaseMillis = 1000;

    private enum State {
        OPENING,
        OPEN,
        DONE
    }

    private final EventLoop loop;
    private final OriginConnector connector;
    private final Target target;
    private final Listener listener;
    private final WohQueue queue;
    private final WohRequests requests;

    private final long responseTimeoutNanos;
    private ScheduledFuture<?> responseTimer;

    private State state = State.OPENING;
    private boolean inFlight;
    private boolean refreshWanted;
    private boolean closeSent;
    /** The origin sent CLOSE: only the client's close reply is still sent. */
    private boolean peerClosed;

    private boolean disconnectSent;
    private int retries;
    private int keepAliveSeconds = -1;
    private ScheduledFuture<?> keepAliveTimer;
    private ScheduledFuture<?> retryTimer;
    /** The events of the request in flight, sent again on a retry. */
    private List<WsEvent> batch = List.of();
    /** The connection of the request in flight. */
    private Channel conn;
    /** A kept-alive connection between requests. */
    private Channel idle;

    WohLeg(LegSetup setup, Listener listener) {
        this.responseTimeoutNanos = setup.limits().originResponseTimeout().toNanos();
        this.loop = setup.loop();
        this.connector = setup.connector();
        this.target = setup.target();
        this.listener = listener;
        this.queue = new WohQueue(setup.limits().websocketOverHttpQueueMax(), listener);
        this.requests = new WohRequests(setup);
    }

    @Override
    public void start() {
        put(new WsEvent.Open());
        flush();
    }

    @Override
    public void send(Msg m) {
        if (state == State.DONE || closeSent || peerClosed) {
            return;
        }
        put(
                switch (m.type()) {
                    case TEXT -> new WsEvent.Text(m.data());
                    case BINARY -> new WsEvent.Binary(m.data());
                    case PING -> new WsEvent.Ping(m.data());
                    case PONG -> new WsEvent.Pong(m.data());
                });
        flush();
    }

    @Override
    public boolean acceptsMore() {
        return queue.acceptsMore();
    }

    private void put(WsEvent e) {
        queue.put(e);
    }

    @Override
    public void close(int code, String reason) {
        if (state == State.DONE || closeSent) {
            return;
        }
        if (state == State.OPENING) {
            finish();
            return;
        }
        closeSent = true;
        put(new WsEvent.Close(code, reason));
        flush();
    }

    @Override
    public void disconnect() {
        if (state == State.DONE || disconnectSent) {
            return;
        }
        if (peerClosed) {
            finish();
            return;
        }
        if (state == State.OPENING) {
            finish();
            return;
        }
        disconnectSent = true;
        // nobody will read the answers: what the client sent and the origin has not had is dropped, and a request
        // waiting to be retried is not sent again; the origin hears DISCONNECT after the request in flight
        queue.clear();
        refreshWanted = false;
        cancelTimer();
        if (retryTimer != null && retryTimer.cancel(false)) {
            retryTimer = null;
            inFlight = false;
        }
        put(new WsEvent.Disconnect());
        flush();
    }

    @Override
    public void refresh() {
        if (state != State.OPEN || peerClosed) {
            return;
        }
        refreshWanted = true;
        flush();
    }

    private void finish() {
        state = State.DONE;
        queue.discard();
        cancelTimer();
        cancelResponseTimer();
        if (retryTimer != null) {
            retryTimer.cancel(false);
        }
        if (conn != null) {
            conn.close();
            conn = null;
        }
        if (idle != null) {
            idle.close();
            idle = null;
        }
    }

    private void cancelTimer() {
        if (keepAliveTimer != null) {
            keepAliveTimer.cancel(false);
            keepAliveTimer = null;
        }
    }

    /** Sends the next request when none is outstanding and there are events (or a refresh or keep-alive is due). */
    private void flush() {
        if (state == State.DONE || inFlight || (queue.isEmpty() && !refreshWanted)) {
            return;
        }
        refreshWanted = false;
        batch = queue.nextBatch(target.oneEvent());
        request();
    }

    private void request() {
        inFlight = true;
        cancelTimer();
        FullHttpRequest r = requests.request(batch);
        Channel kept = idle;
        idle = null;
        if (kept != null && kept.isActive()) {
            send(kept, r, true);
            return;
        }
        if (kept != null) {
            kept.close();
        }
        Future<Channel> f = connector.connect(
                loop,
                target.endpoint(),
                ch -> ch.pipeline().addLast(new ChannelHandler[] {
                    new HttpClientCodec(8192, 64 * 1024, 16 * 1024),
                    new HttpObjectAggregator(MAX_RESPONSE),
                    new Handler()
                }));
        f.addListener(x -> {
            if (state == State.DONE) {
                r.release();
                if (x.isSuccess()) {
                    f.getNow().close();
                }
                return;
            }
            if (!x.isSuccess()) {
                r.release();
                connectError(String.valueOf(x.cause()));
                return;
            }
            send(f.getNow(), r, false);
        });
    }

    private void send(Channel ch, FullHttpRequest r, boolean reused) {
        conn = ch;
        Handler h = ch.pipeline().get(Handler.class);
        h.begin(reused);
        ch.writeAndFlush(r);
        if (responseTimeoutNanos > 0) {
            responseTimer = loop.schedule(() -> responseTimedOut(ch, h), responseTimeoutNanos, TimeUnit.NANOSECONDS);
        }
    }

    /**
     * The origin kept the request past origin_response_timeout: the connection fails (a 502 while opening, else a
     * close 1011). Not sent again: the origin may have acted on the events.
     */
    private void responseTimedOut(Channel ch, Handler h) {
        responseTimer = null;
        if (state == State.DONE || conn != ch || !h.waiting) {
            return;
        }
        long s = TimeUnit.NANOSECONDS.toSeconds(responseTimeoutNanos);
        listener.limitHit("origin_response_timeout", "no answer from " + target.address() + " within " + s + " s");
        h.waiting = false;
        conn = null;
        inFlight = false;
        ch.close();
        if (batchDisconnects()) {
            finish();
            return;
        }
        fail("no answer from the origin within " + s + " s (origin_response_timeout)");
    }

    private void cancelResponseTimer() {
        if (responseTimer != null) {
            responseTimer.cancel(false);
            responseTimer = null;
        }
    }

    /** Pushpin retries only once the connection is open; while opening, the next target is tried. */
    private void connectError(String why) {
        inFlight = false;
        if (state == State.OPENING) {
            state = State.DONE;
            listener.unreachable(why);
            return;
        }
        if (retries >= RETRY_MAX) {
            log.debug("WebSocket-over-HTTP {} gave up after {} retries: {}", target.address(), retries, why);
            finish();
            listener.failed("origin unreachable: " + why);
            return;
        }
        long delay =
                retryBaseMillis * (1L << retries) + ThreadLocalRandom.current().nextLong(retryBaseMillis);
        retries++;
        log.debug("WebSocket-over-HTTP {}: {}; retry {} in {} ms", target.address(), why, retries, delay);
        inFlight = true;
        retryTimer = loop.schedule(this::request, delay, TimeUnit.MILLISECONDS);
    }

    /** One origin connection, used for one request at a time and kept while the origin keeps it alive. */
    private final class Handler extends SimpleChannelInboundHandler<FullHttpResponse> {
        private boolean waiting;
        private boolean reused;

        void begin(boolean reused) {
            this.waiting = true;
            this.reused = reused;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse r) {
            if (!waiting) {
                // nothing was asked on this connection
                ctx.close();
                return;
            }
            waiting = false;
            cancelResponseTimer();
            if (conn == ctx.channel()) {
                conn = null;
            }
            if (state != State.DONE
                    && HttpUtil.isKeepAlive(r)
                    && !r.decoderResult().isFailure()) {
                idle = ctx.channel();
            } else {
                ctx.close();
            }
            if (state != State.DONE) {
                response(r);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.debug("WebSocket-over-HTTP {}: {}", target.address(), cause.toString());
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (idle == ctx.channel()) {
                idle = null;
            }
            if (!waiting || state == State.DONE) {
                return;
            }
            waiting = false;
            cancelResponseTimer();
            if (conn == ctx.channel()) {
                conn = null;
            }
            if (batchDisconnects()) {
                finish();
                return;
            }
            if (reused) {
                // a kept connection the origin had closed meanwhile: once more on a fresh one, not a retry
                request();
                return;
            }
            // no answer: the origin may not have seen the request, so it is sent again
            connectError("connection closed before a response");
        }
    }

    private void response(FullHttpResponse r) {
        inFlight = false;
        if (r.decoderResult().isFailure()) {
            fail("bad response: " + r.decoderResult().cause());
            return;
        }
        retries = 0;
        int code = r.status().code();
        HttpHeaders h = r.headers();
        if (code != 200 || !WsEventCodec.CONTENT_TYPE.equals(WsHeaders.contentTypeBase(h.get("Content-Type")))) {
            if (state == State.OPENING) {
                state = State.DONE;
                byte[] body = ByteBufUtil.getBytes(
                        r.content(),
                        r.content().readerIndex(),
                        Math.min(r.content().readableBytes(), WsSession.MAX_REJECT_BODY));
                listener.rejected(code, r.status().reasonPhrase(), h, body);
            } else {
                fail("origin answered " + code + " " + h.get("Content-Type"));
            }
            return;
        }
        if (h.contains("Keep-Alive-Interval")) {
            keepAliveSeconds = WsHeaders.keepAliveInterval(h.get("Keep-Alive-Interval"));
        }
        requests.storeMeta(h);
        List<WsEvent> events;
        try {
            events = WsEventCodec.decode(ByteBufUtil.getBytes(r.content()));
        } catch (WsEventException e) {
            fail("bad events from origin: " + e.getMessage());
            return;
        }
        if (batchDisconnects()) {
            finish();
            return;
        }
        if (state == State.OPENING) {
            if (events.isEmpty() ? keepAliveSeconds < 0 : !(events.get(0) instanceof WsEvent.Open)) {
                fail(
                        events.isEmpty()
                                ? "empty answer to OPEN without Keep-Alive-Interval"
                                : "answer to OPEN starts with " + events.get(0).type() + " (expected: OPEN)");
                return;
            }
            state = State.OPEN;
            listener.opened(h);
            if (state == State.DONE) {
                return;
            }
            if (!events.isEmpty()) {
                events = events.subList(1, events.size());
            }
        }
        for (WsEvent e : events) {
            switch (e) {
                case WsEvent.Open o -> {
                    fail("OPEN from origin on an open connection");
                    return;
                }
                case WsEvent.Text t -> listener.message(new Msg(WsMessageType.TEXT, t.content()));
                case WsEvent.Binary t -> listener.message(new Msg(WsMessageType.BINARY, t.content()));
                case WsEvent.Ping t -> listener.message(new Msg(WsMessageType.PING, t.content()));
                case WsEvent.Pong t -> listener.message(new Msg(WsMessageType.PONG, t.content()));
                case WsEvent.Close c -> {
                    if (closeSent) {
                        finish();
                    } else {
                        // the client's close reply still goes to the origin, as in Pushpin
                        peerClosed = true;
                        queue.clear();
                        cancelTimer();
                    }
                    listener.closed(c.code(), c.reason());
                    return;
                }
                case WsEvent.Disconnect d -> {
                    finish();
                    listener.disconnected();
                    return;
                }
            }
            if (state == State.DONE) {
                return;
            }
        }
        if (closeSent) {
            // the origin had its chance to answer our CLOSE
            finish();
            listener.closed(-1, "");
            return;
        }
        if (!queue.isEmpty() || refreshWanted) {
            flush();
        } else if (keepAliveSeconds > 0) {
            keepAliveTimer = loop.schedule(
                    () -> {
                        keepAliveTimer = null;
                        refreshWanted = true;
                        flush();
                    },
                    keepAliveSeconds,
                    TimeUnit.SECONDS);
        }
    }

    private boolean batchDisconnects() {
        return !batch.isEmpty() && batch.get(batch.size() - 1) instanceof WsEvent.Disconnect;
    }

    private void fail(String why) {
        log.debug("WebSocket-over-HTTP {}: {}", target.address(), why);
        finish();
        listener.failed(why);
    }

    /** The stored meta (for tests and logs). */
    Map<String, String> meta() {
        return requests.meta();
    }
}
