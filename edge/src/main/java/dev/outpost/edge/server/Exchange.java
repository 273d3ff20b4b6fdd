package dev.outpost.edge.server;

import dev.outpost.edge.sandbox.Body;
import dev.outpost.edge.sandbox.DownstreamResponder;
import dev.outpost.edge.sandbox.GripHandoff;
import dev.outpost.edge.sandbox.HeaderList;
import dev.outpost.edge.sandbox.ResponseState;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request's response side: the guest's response (or a handoff) written to the client, streaming, and the request
 * log line at the end. {@link #send} and {@link #handoff} run on the guest thread; what the connection's handler
 * reads of it ({@link #handedOff}, and the flags it sets) is marked below.
 */
final class Exchange implements DownstreamResponder {
    private static final Logger log = LoggerFactory.getLogger(EdgeServer.class);
    /** Framing headers the server sets itself (automatic framing, as on Fastly). */
    private static final Set<String> FRAMING =
            Set.of("content-length", "transfer-encoding", "connection", "keep-alive");

    private final Channel channel;
    /** The client's request as it arrived: what a handoff forwards, and what the log line names. */
    private final Handoffs.Original original;

    private final String method;
    private final String uri;
    private final boolean keepAlive;
    private final long started;
    private final ComputeApp app;
    private final Handoffs.Settings settings;
    private final EdgeRequestListener listener;
    /** Event loop only: called once the response is complete, to go on with the connection's next request. */
    private final Runnable resume;

    /** The copy of the request body kept for a handoff; let go once the guest answers itself. */
    private volatile Body tee;
    /** A response (the guest's, an error, or a handoff target's) has begun. */
    volatile boolean sent;
    /** The guest handed the request off (the handler then keeps the whole body copy for it). */
    volatile boolean handedOff;
    /** Set by the handler: the body outgrew --handoff-body-limit before the guest answered, so a handoff is refused. */
    volatile boolean handoffBodyTooLong;
    /** Event loop only: the whole request was read / the whole response was written. */
    boolean requestEnded;

    boolean completed;
    /** Where the handoff went, or why not: for the log line; null without a handoff. */
    private volatile Handoffs.Decision decision;

    Exchange(
            Channel channel,
            Handoffs.Original original,
            boolean keepAlive,
            long started,
            Body tee,
            ComputeApp app,
            Handoffs.Settings settings,
            EdgeRequestListener listener,
            Runnable resume) {
        this.channel = channel;
        this.original = original;
        this.method = original.method();
        this.uri = original.uri();
        this.keepAlive = keepAlive;
        this.started = started;
        this.tee = tee;
        this.app = app;
        this.settings = settings;
        this.listener = listener;
        this.resume = resume;
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

    /**
     * The guest handed the request off: decide where it goes (or why it cannot), then act on that decision. Runs on
     * the guest thread.
     */
    @Override
    public void handoff(GripHandoff handoff) {
        // From here the copy of the body is kept whole for the handoff (the event loop reads this flag).
        handedOff = true;
        Handoffs.Decision d = Handoffs.decide(handoff, original, handoffBodyTooLong, settings, app.services());
        decision = d;
        switch (d) {
            case Handoffs.Refused r -> {
                if (tee != null) {
                    tee.abandon();
                }
                sendError(r.status(), r.message());
            }
            case Handoffs.Forward f -> forward(f);
        }
    }

    /** Passes the request on with the client's original body; the target's response goes back to the client. */
    private void forward(Handoffs.Forward f) {
        HandoffRelay.start(
                channel,
                f.target(),
                f.request(),
                tee != null ? tee : Body.of(new byte[0]),
                f.label(),
                keepAlive,
                new HandoffRelay.Listener() {
                    @Override
                    public void failed(int status, String message) {
                        log.warn("{}: {}", f.label(), message);
                        sendError(status, message);
                    }

                    @Override
                    public void started(int status) {
                        sent = true;
                    }

                    @Override
                    public void finished(int status, boolean keepAlive, boolean success) {
                        handoffFinished(status, keepAlive, success);
                    }
                });
    }

    /** Answers the client with a plain-text error (a handoff that could not happen). */
    void sendError(int status, String message) {
        ResponseState head = new ResponseState();
        head.status = status;
        head.headers.insert("content-type", "text/plain; charset=utf-8");
        send(head, Body.of(message.getBytes(StandardCharsets.UTF_8)), false);
    }

    /** The handed-off response ended on the client connection. */
    private void handoffFinished(int status, boolean keepAlive, boolean success) {
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
                ChannelFuture written = channel.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(chunk)));
                if (!channel.isWritable()) {
                    written.await();
                }
                if (!channel.isActive()) {
                    return;
                }
            }
            log.debug("{} {}: response body of {} bytes ended (abandoned={})", method, uri, total, body.abandoned());
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
            Handoffs.Decision d = decision;
            try {
                listener.requestEnded(new EdgeRequestListener.Request(
                        method,
                        Handoffs.originForm(uri),
                        status,
                        millis,
                        d == null ? null : d.kind(),
                        d == null ? null : d.backend()));
            } catch (RuntimeException e) {
                // Whoever listens must not break serving.
                log.warn("request listener failed: {}", e.toString());
            }
        }
    }
}
