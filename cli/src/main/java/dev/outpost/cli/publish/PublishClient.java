package dev.outpost.cli.publish;

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
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
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
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.timeout.ReadTimeoutException;
import io.netty.handler.timeout.ReadTimeoutHandler;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;

/**
 * A one-shot HTTP/1.1 client for the publish endpoint: one connection, one {@code POST}, one answer, then everything
 * is torn down. Bounded by a connect timeout and a read timeout.
 */
public final class PublishClient {
    /** Error bodies longer than this are cut: they are for showing, not for parsing. */
    static final int MAX_RESPONSE_BODY = 64 * 1024;

    private PublishClient() {}

    /** The endpoint's answer. */
    public record Response(int status, String reason, String body) {}

    /**
     * Sends {@code body} to the GRIP URL's publish endpoint.
     *
     * @param headers extra request headers (e.g. {@code Authorization}), in order
     * @throws PublishException when the endpoint cannot be reached or does not answer in time
     */
    public static Response post(
            GripUrl url, Map<String, String> headers, byte[] body, Duration connectTimeout, Duration readTimeout)
            throws PublishException {
        CompletableFuture<Response> result = new CompletableFuture<>();
        SslContext ssl = null;
        if (url.scheme().equals("https")) {
            try {
                ssl = SslContextBuilder.forClient()
                        .endpointIdentificationAlgorithm("HTTPS")
                        .build();
            } catch (SSLException e) {
                throw new PublishException("cannot set up TLS: " + e.getMessage(), e);
            }
        }
        SslContext tls = ssl;
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        Channel channel = null;
        try {
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
                            p.addLast(
                                    new ReadTimeoutHandler(Math.max(1, readTimeout.toMillis()), TimeUnit.MILLISECONDS));
                            p.addLast(new HttpClientCodec());
                            p.addLast(new HttpObjectAggregator(MAX_RESPONSE_BODY));
                            p.addLast(new AnswerHandler(result, readTimeout));
                        }
                    });
            ChannelFuture connect = b.connect(url.host(), url.port());
            connect.awaitUninterruptibly();
            if (!connect.isSuccess()) {
                throw new PublishException(describeConnectFailure(connect.cause(), connectTimeout), connect.cause());
            }
            channel = connect.channel();
            FullHttpRequest req = new DefaultFullHttpRequest(
                    HttpVersion.HTTP_1_1, HttpMethod.POST, url.requestTarget(), Unpooled.wrappedBuffer(body));
            req.headers()
                    .set(HttpHeaderNames.HOST, url.hostHeader())
                    .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                    .set(HttpHeaderNames.CONTENT_LENGTH, body.length)
                    .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            headers.forEach((k, v) -> req.headers().set(k, v));
            channel.writeAndFlush(req).addListener(f -> {
                if (!f.isSuccess()) {
                    result.completeExceptionally(f.cause());
                }
            });
            try {
                // the read timeout normally fires first; this bounds a stalled TLS handshake too
                return result.get(
                        connectTimeout.plus(readTimeout).plusSeconds(1).toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                throw new PublishException(describeFailure(e.getCause(), readTimeout), e.getCause());
            } catch (TimeoutException e) {
                throw new PublishException("no answer within " + seconds(readTimeout), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PublishException("interrupted", e);
            }
        } finally {
            if (channel != null) {
                channel.close().awaitUninterruptibly();
            }
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }

    static String describeConnectFailure(Throwable cause, Duration connectTimeout) {
        if (cause instanceof ConnectTimeoutException) {
            return "connection timed out after " + seconds(connectTimeout);
        }
        if (cause instanceof UnknownHostException) {
            return "unknown host (" + cause.getMessage() + ")";
        }
        if (cause instanceof ConnectException) {
            String m = cause.getMessage();
            return m != null && m.toLowerCase(java.util.Locale.ROOT).contains("refused")
                    ? "connection refused"
                    : "cannot connect" + (m == null ? "" : " (" + m + ")");
        }
        return describeFailure(cause, connectTimeout);
    }

    static String describeFailure(Throwable cause, Duration readTimeout) {
        if (cause instanceof ReadTimeoutException) {
            return "no answer within " + seconds(readTimeout);
        }
        if (cause instanceof TooLongFrameException) {
            return "answer too large (" + cause.getMessage() + ")";
        }
        if (cause instanceof ClosedBeforeAnswer) {
            return "connection closed before an answer";
        }
        if (cause instanceof DecoderException && cause.getCause() instanceof SSLException tls) {
            return "TLS handshake failed (" + tls.getMessage() + ")";
        }
        if (cause instanceof SSLException tls) {
            return "TLS handshake failed (" + tls.getMessage() + ")";
        }
        String m = cause.getMessage();
        return m == null || m.isBlank() ? cause.getClass().getSimpleName() : m;
    }

    private static String seconds(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? (ms / 1000) + " s" : ms + " ms";
    }

    /** The connection ended without a response. */
    static final class ClosedBeforeAnswer extends Exception {
        private static final long serialVersionUID = 1L;

        ClosedBeforeAnswer() {
            super("connection closed before an answer", null, false, false);
        }
    }

    private static final class AnswerHandler extends SimpleChannelInboundHandler<FullHttpResponse> {
        private final CompletableFuture<Response> result;
        private final Duration readTimeout;

        AnswerHandler(CompletableFuture<Response> result, Duration readTimeout) {
            this.result = result;
            this.readTimeout = readTimeout;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse res) {
            if (res.decoderResult().isFailure()) {
                result.completeExceptionally(new PublishException(
                        "malformed answer: "
                                + describeFailure(res.decoderResult().cause(), readTimeout),
                        res.decoderResult().cause()));
            } else {
                result.complete(new Response(
                        res.status().code(),
                        res.status().reasonPhrase(),
                        res.content().toString(StandardCharsets.UTF_8)));
            }
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            result.completeExceptionally(new ClosedBeforeAnswer());
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            result.completeExceptionally(cause);
            ctx.close();
        }
    }
}
