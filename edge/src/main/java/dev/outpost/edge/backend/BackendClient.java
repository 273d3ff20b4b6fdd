package dev.outpost.edge.backend;

import dev.outpost.edge.config.BackendConfig;
import dev.outpost.edge.sandbox.Body;
import dev.outpost.edge.sandbox.HeaderList;
import dev.outpost.edge.sandbox.PendingRequest.BackendResponse;
import dev.outpost.edge.sandbox.RequestState;
import dev.outpost.edge.sandbox.ResponseState;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpContentDecompressor;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.timeout.ReadTimeoutException;
import io.netty.handler.timeout.ReadTimeoutHandler;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * Sends guest requests to backends over Netty, one connection per request. The response completes as soon as its head
 * arrives; its body streams into a {@link Body}. Request bodies stream too: a body still being written by the guest is
 * sent chunked as it grows.
 */
public final class BackendClient {
    /** Hop-by-hop and framing headers the client sets itself. */
    private static final Set<String> SKIPPED = Set.of(
            "host",
            "content-length",
            "transfer-encoding",
            "connection",
            "keep-alive",
            "upgrade",
            "te",
            "trailer",
            "proxy-connection");

    private final EventLoopGroup group;
    private final SslContext ssl;
    /** TLS contexts of backends with their own CA certificates, by PEM text. */
    private final java.util.Map<String, SslContext> customTrust = new java.util.concurrent.ConcurrentHashMap<>();

    public BackendClient(EventLoopGroup group) {
        this.group = group;
        try {
            this.ssl = SslContextBuilder.forClient().build();
        } catch (SSLException e) {
            throw new IllegalStateException("TLS client context: " + e.getMessage(), e);
        }
    }

    /**
     * Sends {@code request} with {@code body} to {@code backend}. The URI's path and query go after the backend's path
     * prefix; the {@code Host} header is the backend's override host, else the request's, else the URI's authority.
     */
    public CompletableFuture<BackendResponse> send(
            BackendConfig backend, RequestState request, Body body, boolean decompressGzip) {
        CompletableFuture<BackendResponse> result = new CompletableFuture<>();
        URI uri;
        try {
            uri = new URI(request.uri);
        } catch (URISyntaxException e) {
            result.completeExceptionally(new BackendException(
                    SendErrorTag.HTTP_REQUEST_URI_INVALID,
                    "request URI: " + request.uri + " (expected: an absolute URI)",
                    e));
            return result;
        }
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        String target = backend.pathPrefix() + path + (uri.getRawQuery() != null ? "?" + uri.getRawQuery() : "");
        String host = backend.overrideHost() != null
                ? backend.overrideHost()
                : request.headers.first("host") != null
                        ? request.headers.first("host")
                        : uri.getRawAuthority() != null
                                ? uri.getRawAuthority()
                                : backend.url().getRawAuthority();

        String backendHost = backend.url().getHost();
        int port = backend.port();
        Bootstrap bootstrap = new Bootstrap()
                .group(group)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int)
                        backend.connectTimeout().toMillis())
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (backend.tls()) {
                            SslContext context =
                                    backend.caCertificates() == null ? ssl : trusting(backend.caCertificates());
                            String sni = backend.certHost() != null ? backend.certHost() : backendHost;
                            ch.pipeline()
                                    .addLast(
                                            backend.useSni()
                                                    ? context.newHandler(ch.alloc(), sni, port)
                                                    : context.newHandler(ch.alloc()));
                        }
                        ch.pipeline()
                                .addLast(new ReadTimeoutHandler(
                                        backend.firstByteTimeout().toMillis(), TimeUnit.MILLISECONDS));
                        ch.pipeline().addLast(new HttpClientCodec());
                        if (decompressGzip) {
                            ch.pipeline().addLast(new HttpContentDecompressor(0));
                        }
                        ch.pipeline().addLast(new ResponseHandler(result, backend.betweenBytesTimeout()));
                    }
                });
        bootstrap.connect(backendHost, port).addListener((ChannelFutureListener) connected -> {
            if (!connected.isSuccess()) {
                result.completeExceptionally(connectFailure(backend, connected.cause()));
                return;
            }
            writeRequest(connected.channel(), request, target, host, body);
        });
        return result;
    }

    private SslContext trusting(String pem) {
        return customTrust.computeIfAbsent(pem, p -> {
            try {
                return SslContextBuilder.forClient()
                        .trustManager(new java.io.ByteArrayInputStream(
                                p.getBytes(java.nio.charset.StandardCharsets.US_ASCII)))
                        .build();
            } catch (SSLException e) {
                throw new IllegalStateException(
                        "TLS client context with the backend's CA certificates: " + e.getMessage(), e);
            }
        });
    }

    private static BackendException connectFailure(BackendConfig backend, Throwable cause) {
        SendErrorTag tag = cause instanceof ConnectException
                ? SendErrorTag.CONNECTION_REFUSED
                : cause instanceof UnknownHostException
                        ? SendErrorTag.DNS_ERROR
                        : cause instanceof io.netty.channel.ConnectTimeoutException
                                ? SendErrorTag.CONNECTION_TIMEOUT
                                : SendErrorTag.CONNECTION_REFUSED;
        return new BackendException(
                tag, "backend " + backend.name() + " (" + backend.url() + "): " + cause.getMessage(), cause);
    }

    private static void writeRequest(Channel channel, RequestState request, String target, String host, Body body) {
        HttpRequest head = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(request.method), target);
        for (HeaderList.Field field : request.headers.fields()) {
            if (!SKIPPED.contains(field.name())) {
                head.headers().add(field.name(), field.valueString());
            }
        }
        head.headers().set(HttpHeaderNames.HOST, host);
        byte[] complete = body.completeBytes();
        if (complete != null) {
            if (complete.length > 0 || !(request.method.equals("GET") || request.method.equals("HEAD"))) {
                HttpUtil.setContentLength(head, complete.length);
            }
            channel.write(head);
            channel.writeAndFlush(new DefaultLastHttpContent(Unpooled.wrappedBuffer(complete)));
            return;
        }
        head.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        channel.writeAndFlush(head);
        // The guest may still be writing this body: stream it from a thread of its own.
        Thread.ofVirtual().name("edge-backend-body").start(() -> {
            try {
                while (true) {
                    byte[] chunk = body.read(64 * 1024);
                    if (chunk.length == 0) {
                        break;
                    }
                    channel.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(chunk)));
                }
                if (body.abandoned()) {
                    channel.close();
                } else {
                    channel.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
                }
            } catch (InterruptedException e) {
                channel.close();
            }
        });
    }

    private static final class ResponseHandler extends SimpleChannelInboundHandler<HttpObject> {
        private final CompletableFuture<BackendResponse> result;
        private final java.time.Duration betweenBytes;
        private Body body;

        ResponseHandler(CompletableFuture<BackendResponse> result, java.time.Duration betweenBytes) {
            this.result = result;
            this.betweenBytes = betweenBytes;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            if (msg instanceof HttpResponse response) {
                if (response.decoderResult().isFailure()) {
                    fail(
                            ctx,
                            new BackendException(
                                    SendErrorTag.HTTP_PROTOCOL_ERROR,
                                    "malformed response: "
                                            + response.decoderResult().cause(),
                                    response.decoderResult().cause()));
                    return;
                }
                // 1xx interim responses are not what the guest waits for.
                if (response.status().codeClass() == io.netty.handler.codec.http.HttpStatusClass.INFORMATIONAL
                        && response.status().code() != 101) {
                    return;
                }
                // From here on the gap between body bytes is what is limited.
                ctx.pipeline()
                        .replace(
                                ReadTimeoutHandler.class,
                                "between-bytes",
                                new ReadTimeoutHandler(betweenBytes.toMillis(), TimeUnit.MILLISECONDS));
                ResponseState head = new ResponseState();
                head.status = response.status().code();
                head.version = response.protocolVersion().minorVersion() == 0
                        ? dev.outpost.edge.sandbox.HttpVersion.HTTP_10
                        : dev.outpost.edge.sandbox.HttpVersion.HTTP_11;
                response.headers().forEach(e -> head.headers.append(e.getKey(), e.getValue()));
                head.remote = (InetSocketAddress) ctx.channel().remoteAddress();
                body = new Body().hostWritten();
                if (HttpUtil.isContentLengthSet(response)) {
                    body.knownLength(HttpUtil.getContentLength(response));
                }
                result.complete(new BackendResponse(head, body));
            }
            if (msg instanceof HttpContent content && body != null) {
                if (content.content().isReadable()) {
                    body.write(ByteBufUtil.getBytes(content.content()));
                }
                if (content instanceof LastHttpContent) {
                    body.finish();
                    body = null;
                    ctx.close();
                }
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (!result.isDone()) {
                result.completeExceptionally(new BackendException(
                        SendErrorTag.CONNECTION_TERMINATED, "backend closed the connection before responding", null));
            } else if (body != null) {
                body.abandon();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            fail(
                    ctx,
                    cause instanceof ReadTimeoutException
                            ? new BackendException(
                                    SendErrorTag.HTTP_RESPONSE_TIMEOUT,
                                    body == null
                                            ? "backend sent no response within the first-byte timeout"
                                            : "backend paused longer than the between-bytes timeout",
                                    cause)
                            : new BackendException(
                                    cause instanceof SSLException
                                            ? SendErrorTag.TLS_CERTIFICATE_ERROR
                                            : SendErrorTag.CONNECTION_TERMINATED,
                                    "backend connection failed: " + cause.getMessage(),
                                    cause));
        }

        private void fail(ChannelHandlerContext ctx, BackendException e) {
            if (!result.isDone()) {
                result.completeExceptionally(e);
            } else if (body != null) {
                body.abandon();
            }
            ctx.close();
        }
    }
}
