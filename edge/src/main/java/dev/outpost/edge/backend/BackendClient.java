package dev.outpost.edge.backend;

import dev.outpost.edge.config.BackendConfig;
import dev.outpost.edge.sandbox.Body;
import dev.outpost.edge.sandbox.HeaderList;
import dev.outpost.edge.sandbox.PendingRequest.BackendResponse;
import dev.outpost.edge.sandbox.RequestState;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContentDecompressor;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.ReadTimeoutHandler;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Sends guest requests to backends over Netty, on pooled keep-alive connections ({@link BackendPool}) with each
 * backend's TLS settings ({@link BackendTls}) and timeouts: connect, first byte (from the end of the request), and
 * between bytes. The response completes as soon as its head arrives; its body streams into a {@link Body}, with flow
 * control. Request bodies stream too: a body still being written by the guest is sent chunked as it grows. A request
 * that fails gets a {@link BackendException} with the ABI's {@link SendErrorTag}.
 */
public final class BackendClient implements AutoCloseable {
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
    private final BackendTls tls = new BackendTls();
    private final BackendPool pool = new BackendPool();

    public BackendClient(EventLoopGroup group) {
        this.group = group;
    }

    /** What one request needs on whichever connection carries it. */
    record Call(
            BackendConfig backend,
            RequestState request,
            String target,
            String host,
            Body body,
            byte[] complete,
            boolean decompress,
            CompletableFuture<BackendResponse> result) {}

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
        Call call = new Call(backend, request, target, host, body, body.completeBytes(), decompressGzip, result);
        BackendPool.Endpoint endpoint = BackendPool.Endpoint.of(backend);
        // dont_pool: a connection of its own, never one another request left.
        BackendPool.Connection pooled = backend.options().pooled() ? pool.take(endpoint) : null;
        if (pooled != null) {
            start(call, endpoint, pooled, true);
        } else {
            connect(call, endpoint);
        }
        return result;
    }

    private void connect(Call call, BackendPool.Endpoint endpoint) {
        BackendConfig backend = call.backend();
        Bootstrap bootstrap = new Bootstrap()
                .group(group)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int)
                        Math.min(Integer.MAX_VALUE, backend.connectTimeout().toMillis()))
                .option(ChannelOption.SO_KEEPALIVE, backend.options().tcpKeepalive() != null)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (backend.tls()) {
                            ch.pipeline().addLast("tls", tls.handler(backend, ch.alloc()));
                        }
                        ch.pipeline().addLast("codec", new HttpClientCodec());
                        ch.pipeline().addLast("exchange", new io.netty.channel.ChannelInboundHandlerAdapter());
                    }
                });
        try {
            bootstrap.connect(backend.url().getHost(), backend.port()).addListener((ChannelFutureListener) f -> {
                if (!f.isSuccess()) {
                    call.result().completeExceptionally(Failures.connect(backend, f.cause()));
                    return;
                }
                pool.opened();
                BackendPool.Connection c = new BackendPool.Connection(f.channel());
                if (backend.tls()) {
                    // A handshake failure is the connection's failure: report it before anything is sent.
                    f.channel()
                            .pipeline()
                            .get(io.netty.handler.ssl.SslHandler.class)
                            .handshakeFuture()
                            .addListener(h -> {
                                if (h.isSuccess()) {
                                    start(call, endpoint, c, false);
                                } else {
                                    f.channel().close();
                                    call.result().completeExceptionally(Failures.tls(backend, h.cause()));
                                }
                            });
                } else {
                    start(call, endpoint, c, false);
                }
            });
        } catch (BackendException e) {
            call.result().completeExceptionally(e);
        }
    }

    /** Sends the call on {@code c}; a reused connection that turns out closed is retried once on a new one. */
    private void start(Call call, BackendPool.Endpoint endpoint, BackendPool.Connection c, boolean reused) {
        c.uses++;
        Channel channel = c.channel;
        ResponseHandler handler = new ResponseHandler(call, reused, (reusable, retry) -> {
            if (retry) {
                channel.close();
                connect(call, endpoint);
                return;
            }
            for (String name : new String[] {"timeout", "decompress"}) {
                if (channel.pipeline().get(name) != null) {
                    channel.pipeline().remove(name);
                }
            }
            if (reusable) {
                pool.release(endpoint, call.backend(), c);
            } else {
                channel.close();
            }
        });
        channel.eventLoop().execute(() -> {
            channel.pipeline().replace("exchange", "exchange", handler);
            if (call.decompress()) {
                channel.pipeline().addBefore("exchange", "decompress", new HttpContentDecompressor(0));
            }
            writeRequest(channel, call, handler);
        });
    }

    private void writeRequest(Channel channel, Call call, ResponseHandler handler) {
        RequestState request = call.request();
        HttpRequest head =
                new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(request.method), call.target());
        for (HeaderList.Field field : request.headers.fields()) {
            if (!SKIPPED.contains(field.name())) {
                head.headers().add(field.name(), field.valueString());
            }
        }
        head.headers().set(HttpHeaderNames.HOST, call.host());
        byte[] complete = call.complete();
        if (complete != null) {
            if (complete.length > 0 || !(request.method.equals("GET") || request.method.equals("HEAD"))) {
                HttpUtil.setContentLength(head, complete.length);
            }
            channel.write(head);
            channel.writeAndFlush(new DefaultLastHttpContent(Unpooled.wrappedBuffer(complete)))
                    .addListener(handler::requestSent);
            return;
        }
        head.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        channel.writeAndFlush(head);
        Body body = call.body();
        // The guest may still be writing this body: stream it from a thread of its own.
        Thread.ofVirtual().name("edge-backend-body").start(() -> {
            try {
                while (true) {
                    byte[] chunk = body.read(64 * 1024);
                    if (chunk.length == 0) {
                        break;
                    }
                    var written = channel.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(chunk)));
                    if (!channel.isWritable()) {
                        written.await();
                    }
                    if (!channel.isActive()) {
                        return;
                    }
                }
                if (body.abandoned()) {
                    channel.close();
                } else {
                    LastHttpContent last = new DefaultLastHttpContent();
                    body.trailers().fields().forEach(f -> last.trailingHeaders().add(f.name(), f.valueString()));
                    channel.writeAndFlush(last).addListener(handler::requestSent);
                }
            } catch (InterruptedException e) {
                channel.close();
            }
        });
    }

    /** Arms the first-byte timeout (event loop). */
    static void firstByteTimer(Channel channel, BackendConfig backend) {
        if (channel.pipeline().get("timeout") == null) {
            channel.pipeline()
                    .addBefore(
                            "codec",
                            "timeout",
                            new ReadTimeoutHandler(backend.firstByteTimeout().toMillis(), TimeUnit.MILLISECONDS));
        }
    }

    /** Connections opened and requests sent on reused connections, since start. */
    public long connectionsOpened() {
        return pool.openedCount();
    }

    public long connectionsReused() {
        return pool.reusedCount();
    }

    /** Closes the idle pooled connections. */
    @Override
    public void close() {
        pool.close();
    }

    /** How failures map to send errors. */
    static final class Failures {
        private Failures() {}

        static BackendException connect(BackendConfig backend, Throwable cause) {
            SendErrorTag tag = cause instanceof io.netty.channel.ConnectTimeoutException
                    ? SendErrorTag.CONNECTION_TIMEOUT
                    : cause instanceof UnknownHostException
                            ? SendErrorTag.DNS_ERROR
                            : cause instanceof ConnectException
                                    ? SendErrorTag.CONNECTION_REFUSED
                                    : cause instanceof BackendException be ? be.tag() : SendErrorTag.CONNECTION_REFUSED;
            String what = tag == SendErrorTag.CONNECTION_TIMEOUT
                    ? "no connection within the connect timeout of "
                            + backend.connectTimeout().toMillis() + " ms"
                    : cause.getMessage();
            return new BackendException(tag, "backend " + backend.name() + " (" + backend.url() + "): " + what, cause);
        }

        static BackendException tls(BackendConfig backend, Throwable cause) {
            String message = String.valueOf(cause.getMessage());
            Throwable root = cause;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            SendErrorTag tag;
            if (message.contains("protocol_version")
                    || message.contains("insufficient_security")
                    || message.contains("No appropriate protocol")) {
                // No TLS version (or cipher) both sides accept.
                tag = SendErrorTag.TLS_PROTOCOL_ERROR;
            } else if (message.contains("Received fatal alert")) {
                tag = SendErrorTag.TLS_ALERT_RECEIVED;
            } else if (root instanceof java.security.cert.CertificateException
                    || root instanceof java.security.cert.CertPathValidatorException
                    || message.contains("PKIX")
                    || message.contains("certificate")) {
                tag = SendErrorTag.TLS_CERTIFICATE_ERROR;
            } else if (message.contains("protocol") || message.contains("cipher")) {
                tag = SendErrorTag.TLS_PROTOCOL_ERROR;
            } else {
                tag = SendErrorTag.TLS_PROTOCOL_ERROR;
            }
            return new BackendException(
                    tag,
                    "backend " + backend.name() + " (" + backend.url() + "): TLS handshake failed: " + message,
                    cause);
        }
    }
}
