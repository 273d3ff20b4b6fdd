package dev.outpost.edge.backend;

import dev.outpost.edge.config.BackendConfig;
import dev.outpost.edge.sandbox.Body;
import dev.outpost.edge.sandbox.HttpVersion;
import dev.outpost.edge.sandbox.PendingRequest.BackendResponse;
import dev.outpost.edge.sandbox.ResponseState;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.ReadTimeoutException;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * One backend request's response on a (possibly pooled) connection: completes the call when the head arrives,
 * streams the body into a {@link Body} with flow control, and says at the end whether the connection can be reused.
 */
final class ResponseHandler extends SimpleChannelInboundHandler<HttpObject> {
    /** Unread response bytes held before reading from the backend pauses. */
    static final int FLOW_WINDOW = 1 << 20;

    /** How the exchange ended: the connection can be kept, or the call should be retried on a new one. */
    interface Done {
        void done(boolean reusable, boolean retry);
    }

    private final BackendClient.Call call;
    private final boolean reused;
    private final Done done;
    private Body body;
    private boolean keepAlive;
    private boolean requestSent;
    private boolean responseSeen;
    private boolean ended;
    private ChannelHandlerContext ctx;

    ResponseHandler(BackendClient.Call call, boolean reused, Done done) {
        this.call = call;
        this.reused = reused;
        this.done = done;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    /** The request's last byte went out: the first-byte timeout runs from here (event loop). */
    void requestSent(Future<? super Void> written) {
        if (written.isSuccess() && !ended) {
            requestSent = true;
            if (!responseSeen) {
                BackendClient.firstByteTimer(ctx.channel(), call.backend());
            }
        }
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
        if (ended) {
            return;
        }
        if (msg instanceof HttpResponse response) {
            if (response.decoderResult().isFailure()) {
                fail(new BackendException(
                        SendErrorTag.HTTP_PROTOCOL_ERROR,
                        "malformed response: " + response.decoderResult().cause(),
                        response.decoderResult().cause()));
                return;
            }
            // 1xx interim responses are not what the guest waits for.
            if (response.status().codeClass() == HttpStatusClass.INFORMATIONAL
                    && response.status().code() != 101) {
                return;
            }
            responseSeen = true;
            BackendConfig backend = call.backend();
            // From here on the gap between body bytes is what is limited.
            ReadTimeoutHandler betweenBytes =
                    new ReadTimeoutHandler(backend.betweenBytesTimeout().toMillis(), TimeUnit.MILLISECONDS);
            if (ctx.pipeline().get("timeout") != null) {
                ctx.pipeline().replace("timeout", "timeout", betweenBytes);
            } else {
                ctx.pipeline().addBefore("codec", "timeout", betweenBytes);
            }
            ResponseState head = new ResponseState();
            head.status = response.status().code();
            head.version = response.protocolVersion().minorVersion() == 0 ? HttpVersion.HTTP_10 : HttpVersion.HTTP_11;
            response.headers().forEach(e -> head.headers.append(e.getKey(), e.getValue()));
            head.remote = (InetSocketAddress) ctx.channel().remoteAddress();
            keepAlive = HttpUtil.isKeepAlive(response) && response.status().code() != 101;
            Body b = new Body().hostWritten();
            if (HttpUtil.isContentLengthSet(response)) {
                b.knownLength(HttpUtil.getContentLength(response));
            }
            b.addReadListener(() -> {
                if (!ctx.channel().config().isAutoRead() && b.buffered() <= FLOW_WINDOW / 2) {
                    ctx.channel().eventLoop().execute(() -> {
                        ctx.channel().config().setAutoRead(true);
                        ctx.read();
                    });
                }
            });
            body = b;
            call.result().complete(new BackendResponse(head, b));
        }
        if (msg instanceof HttpContent content && body != null) {
            if (content.content().isReadable()) {
                body.write(ByteBufUtil.getBytes(content.content()));
                if (body.buffered() > FLOW_WINDOW) {
                    // The guest reads slower than the backend sends: wait for it.
                    ctx.channel().config().setAutoRead(false);
                }
            }
            if (content instanceof LastHttpContent last) {
                last.trailingHeaders().forEach(e -> body.trailers().append(e.getKey(), e.getValue()));
                Body complete = body;
                body = null;
                // The connection goes back to the pool before the guest can see the end of this body and send again.
                end(keepAlive && requestSent, false);
                complete.finish();
            }
        }
    }

    private void end(boolean reusable, boolean retry) {
        if (!ended) {
            ended = true;
            ctx.channel().config().setAutoRead(true);
            done.done(reusable, retry);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (ended) {
            return;
        }
        if (!call.result().isDone()) {
            if (reused && !responseSeen && call.complete() != null) {
                // The server closed a pooled connection as it was reused: once more on a new one.
                end(false, true);
                return;
            }
            call.result()
                    .completeExceptionally(new BackendException(
                            SendErrorTag.CONNECTION_TERMINATED,
                            "backend " + call.backend().name() + " closed the connection before responding",
                            null));
        } else if (body != null) {
            body.fail("backend " + call.backend().name() + " closed the connection before the end of the body");
        }
        end(false, false);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        BackendConfig backend = call.backend();
        if (cause instanceof ReadTimeoutException) {
            fail(new BackendException(
                    SendErrorTag.HTTP_RESPONSE_TIMEOUT,
                    body == null
                            ? "backend " + backend.name() + " sent no response within the first-byte timeout of "
                                    + backend.firstByteTimeout().toMillis() + " ms"
                            : "backend " + backend.name() + " paused longer than the between-bytes timeout of "
                                    + backend.betweenBytesTimeout().toMillis() + " ms",
                    cause));
        } else if (Failures.sslCause(cause) != null) {
            // Netty hands TLS failures over wrapped in a DecoderException.
            fail(Failures.tls(backend, Failures.sslCause(cause)));
        } else {
            fail(new BackendException(
                    SendErrorTag.CONNECTION_TERMINATED,
                    "backend " + backend.name() + " connection failed: " + cause.getMessage(),
                    cause));
        }
    }

    private void fail(BackendException e) {
        if (!call.result().isDone()) {
            call.result().completeExceptionally(e);
        } else if (body != null) {
            body.fail(e.getMessage());
        }
        end(false, false);
        ctx.close();
    }
}
