package dev.outpost.edge.server;

import dev.outpost.edge.sandbox.Body;
import dev.outpost.edge.sandbox.DownstreamRequest;
import dev.outpost.edge.sandbox.HttpVersion;
import dev.outpost.edge.sandbox.RequestState;
import dev.outpost.edge.sandbox.ResponseState;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns each client request into a guest run and writes the guest's response back, streaming both bodies. Pipelined
 * requests run one at a time: one that arrives while a response is still going out waits (and reading pauses) until
 * that response is complete. Reading goes on while a response is on its way, so a client that leaves a long response
 * (a held stream, a handed-off connection) is noticed at once and what serves it is released (issue #11).
 */
final class EdgeRequestHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(EdgeServer.class);

    private final Supplier<ComputeApp> apps;
    private final GuestLimiter guests;
    private final EdgeLimits limits;
    private final AtomicLong peakBuffered;
    /** Reading paused because a body holds its buffer's worth (flow control); set on the event loop. */
    private volatile boolean bodyFull;

    private ChannelHandlerContext ctx;
    private final Duration timeout;
    private final Handoffs.Settings handoffs;
    private final EdgeRequestListener listener;
    private Body requestBody;
    /** A copy of the request body kept for a handoff, which forwards the client's original body. */
    private Body teeBody;
    /** The exchange whose request is being read; its flags are only touched on the event loop. */
    private Exchange current;
    /** A pipelined request that arrived while the current response was still going out (event loop only). */
    private final ArrayDeque<Object> waiting = new ArrayDeque<>();

    EdgeRequestHandler(
            Supplier<ComputeApp> apps,
            GuestLimiter guests,
            EdgeLimits limits,
            AtomicLong peakBuffered,
            Duration timeout,
            int handoffPort,
            boolean websocketPassthrough,
            EdgeRequestListener listener) {
        this.apps = apps;
        this.guests = guests;
        this.limits = limits;
        this.peakBuffered = peakBuffered;
        this.timeout = timeout;
        this.handoffs = new Handoffs.Settings(handoffPort, websocketPassthrough, limits.handoffBodyLimit());
        this.listener = listener;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!waiting.isEmpty() || busy()) {
            // The next pipelined request waits for the current response; one read's worth is enough.
            waiting.add(msg);
            ctx.channel().config().setAutoRead(false);
            return;
        }
        process(ctx, msg);
    }

    private void process(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof HttpRequest request) {
                start(ctx, request);
            }
            if (msg instanceof HttpContent content && requestBody != null) {
                if (content.content().isReadable()) {
                    byte[] bytes = ByteBufUtil.getBytes(content.content());
                    requestBody.write(bytes);
                    keepForHandoff(bytes);
                    // The copy for a handoff shares the body's arrays: what is held is the larger of the two.
                    long held = Math.max(requestBody.buffered(), teeBody.buffered());
                    peakBuffered.accumulateAndGet(held, Math::max);
                    if (requestBody.buffered() > limits.requestBodyBuffer()
                            || current.handedOff && teeBody.buffered() > limits.requestBodyBuffer()) {
                        // The guest (or the handoff) reads slower than the client sends: stop reading until it
                        // catches up, so a large upload is never held whole in memory.
                        bodyFull = true;
                        updateAutoRead();
                    }
                }
                if (content instanceof LastHttpContent last) {
                    last.trailingHeaders().forEach(e -> requestBody.trailers().append(e.getKey(), e.getValue()));
                    requestBody.finish();
                    teeBody.finish();
                    requestBody = null;
                    teeBody = null;
                    current.requestEnded = true;
                }
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    /** Whether a whole request was read and its response is still going out. */
    private boolean busy() {
        return current != null && current.requestEnded && !current.completed;
    }

    /** The current response is complete: go on with what waited, then read on. */
    private void resume(ChannelHandlerContext ctx) {
        while (!waiting.isEmpty() && !busy() && ctx.channel().isActive()) {
            process(ctx, waiting.poll());
        }
        updateAutoRead();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    /**
     * Keeps a copy of the body for a handoff until the guest answers itself, up to {@code --handoff-body-limit}; past
     * it the copy is dropped, and a handoff of this request is refused with a message naming the limit.
     */
    private void keepForHandoff(byte[] bytes) {
        if (current.sent && !current.handedOff || teeBody.discarded()) {
            return;
        }
        if (!current.handedOff && teeBody.buffered() + bytes.length > limits.handoffBodyLimit()) {
            current.handoffBodyTooLong = true;
            teeBody.discard();
            return;
        }
        teeBody.write(bytes);
    }

    /** Reads on unless a pipelined request waits or a request body is full (event loop). */
    private void updateAutoRead() {
        boolean read = waiting.isEmpty() && !bodyFull;
        if (ctx.channel().config().isAutoRead() != read) {
            ctx.channel().config().setAutoRead(read);
            if (read) {
                ctx.read();
            }
        }
    }

    /** A reader took bytes out of a request body: resume reading once the buffers are half empty (any thread). */
    private void bodyRead(Exchange exchange, Body body, Body tee) {
        if (!bodyFull) {
            return;
        }
        ctx.channel().eventLoop().execute(() -> {
            // The copy kept for a handoff is bounded on its own (--handoff-body-limit) until it is read by one.
            if (bodyFull
                    && body.buffered() <= limits.requestBodyBuffer() / 2
                    && (!exchange.handedOff || tee.buffered() <= limits.requestBodyBuffer() / 2)) {
                bodyFull = false;
                updateAutoRead();
            }
        });
    }

    private void release() {
        Object msg;
        while ((msg = waiting.poll()) != null) {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        // After a 101 the connection is a byte pipe: a request pipelined behind the upgrade has no taker.
        release();
    }

    private void start(ChannelHandlerContext ctx, HttpRequest request) {
        long started = System.nanoTime();
        Channel channel = ctx.channel();
        if (request.decoderResult().isFailure()) {
            FullResponses.badRequest(channel, request.decoderResult().cause());
            return;
        }
        RequestState head = new RequestState();
        head.method = request.method().name();
        String host = request.headers().get(HttpHeaderNames.HOST, "localhost");
        head.uri = request.uri().startsWith("/") ? "http://" + host + request.uri() : request.uri();
        head.version = request.protocolVersion().minorVersion() == 0 ? HttpVersion.HTTP_10 : HttpVersion.HTTP_11;
        request.headers().forEach(e -> head.headers.append(e.getKey(), e.getValue()));
        Body body = new Body().hostWritten();
        if (HttpUtil.isContentLengthSet(request)) {
            body.knownLength(HttpUtil.getContentLength(request));
        }
        requestBody = body;
        teeBody = new Body().hostWritten();
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        ComputeApp app = apps.get();
        DownstreamRequest downstream = new DownstreamRequest(
                head,
                body,
                (InetSocketAddress) channel.remoteAddress(),
                (InetSocketAddress) channel.localAddress(),
                app.services().nextRequestId());
        Exchange exchange = new Exchange(
                channel,
                new Handoffs.Original(head.method, head.uri, request.headers().copy()),
                keepAlive,
                started,
                teeBody,
                app,
                handoffs,
                listener,
                () -> resume(ctx));
        current = exchange;
        Body tee = teeBody;
        body.addReadListener(() -> bodyRead(exchange, body, tee));
        tee.addReadListener(() -> bodyRead(exchange, body, tee));
        boolean[] refused = {false};
        try {
            app.dispatch(
                    downstream,
                    exchange,
                    timeout,
                    task -> refused[0] = !guests.submit(() -> {
                        if (!channel.isActive()) {
                            // The client left while its request waited for a guest run.
                            body.discard();
                            return;
                        }
                        try {
                            task.run();
                        } catch (RuntimeException | Error e) {
                            if (guests.stopping()) {
                                // the server stopped under this run (its program closed): nothing went wrong
                                log.debug(
                                        "{} {}: stopped while its guest ran: {}", head.method, head.uri, e.toString());
                            } else {
                                log.error("{} {}: internal error", head.method, head.uri, e);
                            }
                            if (!exchange.sent && !exchange.handedOff) {
                                ResponseState error = new ResponseState();
                                error.status = 500;
                                exchange.send(error, Body.of(new byte[0]), false);
                            }
                        }
                    }));
        } catch (RejectedExecutionException e) {
            refused[0] = true;
        }
        if (refused[0]) {
            body.discard();
            ResponseState unavailable = new ResponseState();
            unavailable.status = 503;
            unavailable.headers.insert("retry-after", "1");
            unavailable.headers.insert("content-type", "text/plain; charset=utf-8");
            exchange.send(unavailable, Body.of(guests.refusal().getBytes(StandardCharsets.UTF_8)), false);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        release();
        if (requestBody != null) {
            requestBody.abandon();
            requestBody = null;
        }
        if (teeBody != null) {
            teeBody.abandon();
            teeBody = null;
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("client connection failed: {}", cause.toString());
        ctx.close();
    }
}
