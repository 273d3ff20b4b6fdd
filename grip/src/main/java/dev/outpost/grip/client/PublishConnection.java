package dev.outpost.grip.client;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.ReadTimeoutException;
import io.netty.handler.timeout.ReadTimeoutHandler;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * One {@code POST} to the publish endpoint on a connection of its own: connect, send, read one answer, close. Bounded
 * by a connect timeout and a read timeout; every failure completes the future with a {@link PublishException}.
 */
final class PublishConnection {
    /** Answer bodies longer than this are cut off: they are for showing, not for parsing. */
    static final int MAX_ANSWER_BODY = 64 * 1024;

    private PublishConnection() {}

    /** The endpoint's answer. */
    record Answer(int status, String reason, String body) {}

    /**
     * Sends {@code body} and completes with the answer, whatever its status.
     *
     * @param tls the client TLS context for {@code https}, else null
     * @param headers request headers besides Host, Content-Type, Content-Length and Connection, in order
     */
    static CompletableFuture<Answer> post(
            EventLoopGroup group,
            SslContext tls,
            GripUrl url,
            Map<String, String> headers,
            byte[] body,
            Duration connectTimeout,
            Duration readTimeout) {
        CompletableFuture<Answer> result = new CompletableFuture<>();
        URI endpoint = url.publishUri();
        Bootstrap b = new Bootstrap()
                .group(group)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int)
                        Math.min(Integer.MAX_VALUE, Math.max(1, connectTimeout.toMillis())))
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ChannelPipeline p = ch.pipeline();
                        if (tls != null) {
                            p.addLast(tls.newHandler(ch.alloc(), url.host(), url.port()));
                        }
                        p.addLast(new ReadTimeoutHandler(Math.max(1, readTimeout.toMillis()), TimeUnit.MILLISECONDS));
                        p.addLast(new HttpClientCodec());
                        p.addLast(new HttpObjectAggregator(MAX_ANSWER_BODY));
                        p.addLast(new AnswerHandler(result, endpoint, readTimeout));
                    }
                });
        ChannelFuture connect = b.connect(url.host(), url.port());
        Channel channel = connect.channel();
        // the read timeout normally fires first; this also bounds a stalled TLS handshake
        ScheduledFuture<?> deadline = group.schedule(
                () -> result.completeExceptionally(
                        PublishException.unreachable(endpoint, "no answer within " + seconds(readTimeout), null)),
                connectTimeout.plus(readTimeout).plusSeconds(1).toMillis(),
                TimeUnit.MILLISECONDS);
        result.whenComplete((answer, failure) -> {
            deadline.cancel(false);
            channel.close();
        });
        connect.addListener(f -> {
            if (!f.isSuccess()) {
                result.completeExceptionally(
                        PublishException.unreachable(endpoint, connectFailure(f.cause(), connectTimeout), f.cause()));
                return;
            }
            FullHttpRequest req = new DefaultFullHttpRequest(
                    HttpVersion.HTTP_1_1, HttpMethod.POST, url.requestTarget(), Unpooled.wrappedBuffer(body));
            req.headers()
                    .set(HttpHeaderNames.HOST, url.hostHeader())
                    .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                    .set(HttpHeaderNames.CONTENT_LENGTH, body.length)
                    .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            headers.forEach((k, v) -> req.headers().set(k, v));
            channel.writeAndFlush(req).addListener(w -> {
                if (!w.isSuccess()) {
                    result.completeExceptionally(
                            PublishException.unreachable(endpoint, failure(w.cause(), readTimeout), w.cause()));
                }
            });
        });
        return result;
    }

    static String connectFailure(Throwable cause, Duration connectTimeout) {
        if (cause instanceof ConnectTimeoutException) {
            return "connection timed out after " + seconds(connectTimeout);
        }
        if (cause instanceof UnknownHostException) {
            return "unknown host (" + cause.getMessage() + ")";
        }
        if (cause instanceof ConnectException) {
            String m = cause.getMessage();
            return m != null && m.toLowerCase(Locale.ROOT).contains("refused")
                    ? "connection refused"
                    : "cannot connect" + (m == null ? "" : " (" + m + ")");
        }
        return failure(cause, connectTimeout);
    }

    static String failure(Throwable cause, Duration readTimeout) {
        if (cause instanceof ReadTimeoutException) {
            return "no answer within " + seconds(readTimeout);
        }
        if (cause instanceof TooLongFrameException) {
            return "answer too large (" + cause.getMessage() + ")";
        }
        if (cause instanceof DecoderException && cause.getCause() instanceof SSLException tls) {
            return "TLS handshake failed (" + tls.getMessage() + ")";
        }
        if (cause instanceof SSLException tls) {
            return "TLS handshake failed (" + tls.getMessage() + ")";
        }
        if (cause instanceof ClosedChannelException) {
            return "the connection closed before the request was sent";
        }
        // a user reads this: a message, never a class name
        String m = cause.getMessage();
        return m == null || m.isBlank() ? "connection failed" : m;
    }

    static String seconds(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? (ms / 1000) + " s" : ms + " ms";
    }

    private static final class AnswerHandler extends SimpleChannelInboundHandler<FullHttpResponse> {
        private final CompletableFuture<Answer> result;
        private final URI endpoint;
        private final Duration readTimeout;

        AnswerHandler(CompletableFuture<Answer> result, URI endpoint, Duration readTimeout) {
            this.result = result;
            this.endpoint = endpoint;
            this.readTimeout = readTimeout;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse res) {
            if (res.decoderResult().isFailure()) {
                Throwable cause = res.decoderResult().cause();
                result.completeExceptionally(PublishException.unreachable(
                        endpoint, "malformed answer: " + failure(cause, readTimeout), cause));
            } else {
                result.complete(new Answer(
                        res.status().code(),
                        res.status().reasonPhrase(),
                        res.content().toString(StandardCharsets.UTF_8)));
            }
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            result.completeExceptionally(
                    PublishException.unreachable(endpoint, "connection closed before an answer", null));
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            result.completeExceptionally(PublishException.unreachable(endpoint, failure(cause, readTimeout), cause));
            ctx.close();
        }
    }
}
