package dev.outpost.edge.server;

import dev.outpost.edge.sandbox.Body;
import dev.outpost.edge.sandbox.DownstreamRequest;
import dev.outpost.edge.sandbox.DownstreamResponder;
import dev.outpost.edge.sandbox.GripHandoff;
import dev.outpost.edge.sandbox.HeaderList;
import dev.outpost.edge.sandbox.RequestState;
import dev.outpost.edge.sandbox.ResponseState;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Set;
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
    /** Framing headers the server sets itself (automatic framing, as on Fastly). */
    private static final Set<String> FRAMING =
            Set.of("content-length", "transfer-encoding", "connection", "keep-alive");

    private final Supplier<ComputeApp> apps;
    private final GuestLimiter guests;
    private final EdgeLimits limits;
    private final AtomicLong peakBuffered;
    /** Reading paused because a body holds its buffer's worth (flow control); set on the event loop. */
    private volatile boolean bodyFull;

    private ChannelHandlerContext ctx;
    private final Duration timeout;
    private final int handoffPort;
    private final boolean websocketPassthrough;
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
        this.handoffPort = handoffPort;
        this.websocketPassthrough = websocketPassthrough;
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

    long handoffBodyLimit() {
        return limits.handoffBodyLimit();
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
        head.version = request.protocolVersion().minorVersion() == 0
                ? dev.outpost.edge.sandbox.HttpVersion.HTTP_10
                : dev.outpost.edge.sandbox.HttpVersion.HTTP_11;
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
        Exchange exchange = new Exchange(channel, head.method, head.uri, keepAlive, started);
        exchange.original = request.headers().copy();
        exchange.originalMethod = head.method;
        exchange.originalUri = head.uri;
        exchange.tee = teeBody;
        exchange.app = app;
        exchange.handoffPort = handoffPort;
        exchange.websocketPassthrough = websocketPassthrough;
        exchange.listener = listener;
        exchange.resume = () -> resume(ctx);
        exchange.handler = this;
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
                            log.error("{} {}: internal error", head.method, head.uri, e);
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

    /** One request's response side; {@link #send} runs on the guest thread. */
    static final class Exchange implements DownstreamResponder {
        private final Channel channel;
        private final String method;
        private final String uri;
        private final boolean keepAlive;
        private final long started;
        volatile boolean sent;
        volatile boolean handedOff;
        /** The client's request as it arrived, for a handoff. */
        HttpHeaders original;

        String originalMethod;
        String originalUri;
        Body tee;
        ComputeApp app;
        int handoffPort;
        boolean websocketPassthrough = true;
        EdgeRequestListener listener = EdgeRequestListener.NONE;
        /** Set by a handoff: {@code fanout} or {@code websocket}, and the backend it named. */
        volatile String handoffKind;

        volatile String handoffBackend;
        /** Event loop only: the whole request was read / the whole response was written. */
        boolean requestEnded;

        boolean completed;
        EdgeRequestHandler handler;
        /** The body outgrew --handoff-body-limit before the guest answered: a handoff is refused. */
        volatile boolean handoffBodyTooLong;

        /** Event loop only: called once the response is complete, to go on with the connection's next request. */
        Runnable resume = () -> {};

        Exchange(Channel channel, String method, String uri, boolean keepAlive, long started) {
            this.channel = channel;
            this.method = method;
            this.uri = uri;
            this.keepAlive = keepAlive;
            this.started = started;
        }

        @Override
        public void send(ResponseState head, Body body, boolean streaming) {
            sent = true;
            Body t = tee;
            if (t != null && !handedOff) {
                tee = null;
                t.abandon();
            }
            HttpResponseStatus status = HttpResponseStatus.valueOf(head.status);
            byte[] complete = streaming ? null : body.completeBytes();
            HttpResponse response = complete != null
                    ? new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(complete))
                    : new DefaultHttpResponse(HttpVersion.HTTP_1_1, status);
            for (HeaderList.Field field : head.headers.fields()) {
                if (!FRAMING.contains(field.name())
                        || head.manualFraming && !field.name().equals("connection")) {
                    response.headers().add(field.name(), field.valueString());
                }
            }
            if (!head.manualFraming
                    || !response.headers().contains(HttpHeaderNames.CONTENT_LENGTH)
                            && !response.headers().contains(HttpHeaderNames.TRANSFER_ENCODING)) {
                Long known = body.knownLength();
                if (complete != null) {
                    HttpUtil.setContentLength(response, complete.length);
                } else if (!streaming && known != null) {
                    HttpUtil.setContentLength(response, known);
                } else {
                    response.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
                }
            }
            HttpUtil.setKeepAlive(response, keepAlive);
            if (log.isDebugEnabled()) {
                log.debug(
                        "{} {}: response {} streaming={} buffered={} length={}",
                        method,
                        uri,
                        head.status,
                        streaming,
                        complete != null,
                        body.knownLength());
            }
            if (complete != null) {
                channel.writeAndFlush(response).addListener(done(head.status));
                return;
            }
            channel.writeAndFlush(response);
            // A connection closed (by the client, or by the server stopping) ends the streaming: the pump below
            // wakes and stops writing.
            channel.closeFuture().addListener(f -> body.abandon());
            // Stream the rest from a thread of its own: the guest may still be writing (streaming) or the body may be a
            // backend response still arriving.
            Thread.ofVirtual().name("edge-response-body").start(() -> pump(body, head.status));
        }

        @Override
        public void handoff(GripHandoff handoff) {
            Handoffs.start(this, handoff);
        }

        /** Answers the client with a plain-text error (a handoff that could not happen). */
        void sendError(int status, String message) {
            ResponseState head = new ResponseState();
            head.status = status;
            head.headers.insert("content-type", "text/plain; charset=utf-8");
            send(head, Body.of(message.getBytes(StandardCharsets.UTF_8)), false);
        }

        Channel channel() {
            return channel;
        }

        boolean keepAlive() {
            return keepAlive;
        }

        /** The handed-off response ended on the client connection. */
        void handoffFinished(int status, boolean keepAlive, boolean success) {
            logLine(status);
            if (status == 101) {
                return;
            }
            completed = true;
            if (!keepAlive || !success) {
                channel.close();
            } else {
                resume.run();
            }
        }

        private void pump(Body body, int status) {
            long total = 0;
            try {
                while (true) {
                    byte[] chunk = body.read(64 * 1024);
                    if (chunk.length == 0) {
                        break;
                    }
                    total += chunk.length;
                    ChannelFuture written =
                            channel.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(chunk)));
                    if (!channel.isWritable()) {
                        written.await();
                    }
                    if (!channel.isActive()) {
                        return;
                    }
                }
                log.debug(
                        "{} {}: response body of {} bytes ended (abandoned={})", method, uri, total, body.abandoned());
                if (body.abandoned()) {
                    // The framing must show the body is incomplete: end the connection without the last chunk.
                    channel.close();
                    logLine(status);
                    return;
                }
                channel.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(done(status));
            } catch (InterruptedException e) {
                channel.close();
            }
        }

        private ChannelFutureListener done(int status) {
            return future -> {
                logLine(status);
                completed = true;
                if (!keepAlive || !future.isSuccess()) {
                    channel.close();
                } else {
                    resume.run();
                }
            };
        }

        private void logLine(int status) {
            long millis = (System.nanoTime() - started) / 1_000_000;
            log.info("{} {} {} {} ms", method, uri, status, millis);
            if (listener != EdgeRequestListener.NONE) {
                try {
                    listener.requestEnded(new EdgeRequestListener.Request(
                            method, Handoffs.originForm(uri), status, millis, handoffKind, handoffBackend));
                } catch (RuntimeException e) {
                    // Whoever listens must not break serving.
                    log.warn("request listener failed: {}", e.toString());
                }
            }
        }
    }
}
