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
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ConnectTimeoutException;
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
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.ReadTimeoutHandler;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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

    private static final Logger log = LoggerFactory.getLogger(BackendClient.class);
    /** Backends whose gRPC request was warned about, so each is named once. */
    private static final Set<String> GRPC_WARNED = ConcurrentHashMap.newKeySet();

    private final EventLoopGroup group;
    private final BackendTls tls = new BackendTls();
    private final BackendPool pool;
    private BackendResolver resolver;

    /** @param group runs the connections, name lookups and waits for a connection */
    public BackendClient(EventLoopGroup group) {
        this.group = group;
        this.pool = new BackendPool(group);
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
        if (backend.options().grpc() && GRPC_WARNED.add(backend.name())) {
            log.warn(
                    "backend {} asks for gRPC (HTTP/2); requests to it go as HTTP/1.1, which a gRPC server may refuse",
                    backend.name());
        }
        Call call = new Call(backend, request, target, host, body, body.completeBytes(), decompressGzip, result);
        acquire(call, BackendPool.Endpoint.of(backend), false);
        return result;
    }

    /** Finds {@code call} a connection: an idle one, a new one, or a place in the queue for one (max_connections). */
    private void acquire(Call call, BackendPool.Endpoint endpoint, boolean first) {
        pool.acquire(endpoint, call.backend(), first, new BackendPool.Lease() {
            @Override
            public void reuse(BackendPool.Connection c) {
                start(call, endpoint, c, true);
            }

            @Override
            public void open() {
                connect(call, endpoint);
            }

            @Override
            public void refused(BackendException e) {
                call.result().completeExceptionally(e);
            }
        });
    }

    private void connect(Call call, BackendPool.Endpoint endpoint) {
        open(call.backend(), group, pipeline -> {
                    pipeline.addLast("codec", new HttpClientCodec());
                    pipeline.addLast("exchange", new ChannelInboundHandlerAdapter());
                })
                .whenComplete((channel, failure) -> {
                    if (failure != null) {
                        pool.notOpened(endpoint);
                        call.result().completeExceptionally(failure);
                        return;
                    }
                    BackendPool.Connection c = new BackendPool.Connection(channel);
                    pool.opened(endpoint, c);
                    start(call, endpoint, c, false);
                });
    }

    /**
     * Opens a connection to {@code backend} on {@code loop} as every request to it is sent: its host's addresses in
     * the backend's order ({@code prefer_ipv4}), tried in turn within its connect timeout, its TCP keep-alive, and
     * its TLS settings (CA certificates, client certificate, versions, ciphers, SNI, certificate host name), the
     * handshake done before the future completes. {@code handlers} adds what goes after TLS. Fails with a
     * {@link BackendException} naming the backend and the cause. Not counted against {@code max_connections}: used
     * as is for connections that leave HTTP (a WebSocket handoff).
     */
    public CompletableFuture<Channel> open(
            BackendConfig backend, EventLoopGroup loop, Consumer<ChannelPipeline> handlers) {
        CompletableFuture<Channel> result = new CompletableFuture<>();
        if (backend.tls()) {
            try {
                // A TLS setting that cannot be used fails here, before any connection.
                tls.context(backend);
            } catch (BackendException e) {
                result.completeExceptionally(e);
                return result;
            }
        }
        long deadline = System.nanoTime() + backend.connectTimeout().toNanos();
        resolver().resolve(backend.url().getHost()).whenComplete((addresses, failure) -> {
            if (failure != null) {
                Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                        ? failure.getCause()
                        : failure;
                result.completeExceptionally(Failures.connect(backend, cause));
                return;
            }
            List<InetAddress> order =
                    BackendResolver.ordered(addresses, backend.options().preferIpv4());
            attempt(backend, loop, handlers, order, 0, deadline, null, result);
        });
        return result;
    }

    /** Connects to the {@code i}th address, else the next one, until one answers or the connect timeout is spent. */
    private void attempt(
            BackendConfig backend,
            EventLoopGroup loop,
            Consumer<ChannelPipeline> handlers,
            List<InetAddress> order,
            int i,
            long deadline,
            Throwable last,
            CompletableFuture<Channel> result) {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (i >= order.size() || left <= 0) {
            Throwable cause = left <= 0
                    ? new ConnectTimeoutException("connect timeout")
                    : last != null
                            ? last
                            : new UnknownHostException(backend.url().getHost() + ": no addresses");
            result.completeExceptionally(Failures.connect(backend, cause));
            return;
        }
        // The TLS handler as made, not looked up later: a handshake that fails fast closes the channel and empties
        // its pipeline before the connect listener runs, and the request must still hear of the failure.
        SslHandler[] ssl = new SslHandler[1];
        Bootstrap bootstrap = new Bootstrap()
                .group(loop)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, left))
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        TcpKeepaliveOptions.apply(ch, backend.options().tcpKeepalive());
                        if (backend.tls()) {
                            ssl[0] = tls.handler(backend, ch.alloc());
                            ch.pipeline().addLast("tls", ssl[0]);
                        }
                        handlers.accept(ch.pipeline());
                    }
                });
        bootstrap.connect(new InetSocketAddress(order.get(i), backend.port())).addListener((ChannelFutureListener)
                f -> {
                    if (!f.isSuccess()) {
                        if (f.cause() instanceof ConnectTimeoutException) {
                            // The attempt had all the time that was left.
                            result.completeExceptionally(Failures.connect(backend, f.cause()));
                        } else {
                            attempt(backend, loop, handlers, order, i + 1, deadline, f.cause(), result);
                        }
                        return;
                    }
                    Channel channel = f.channel();
                    if (!backend.tls()) {
                        result.complete(channel);
                        return;
                    }
                    // A handshake failure is the connection's failure: reported before anything is sent.
                    ssl[0].handshakeFuture().addListener(h -> {
                        if (h.isSuccess()) {
                            result.complete(channel);
                        } else {
                            channel.close();
                            result.completeExceptionally(Failures.tls(backend, h.cause()));
                        }
                    });
                });
    }

    private synchronized BackendResolver resolver() {
        if (resolver == null) {
            resolver = new BackendResolver(group);
        }
        return resolver;
    }

    /** Sends the call on {@code c}; a reused connection that turns out closed is retried once on a new one. */
    private void start(Call call, BackendPool.Endpoint endpoint, BackendPool.Connection c, boolean reused) {
        c.uses++;
        Channel channel = c.channel;
        ResponseHandler handler = new ResponseHandler(call, reused, (reusable, retry) -> {
            if (retry) {
                // Its close frees its place; the call goes first in line for the next one.
                channel.close();
                acquire(call, endpoint, true);
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

    /** Requests that waited for a connection because their backend's max_connections were in use, since start. */
    public long requestsQueued() {
        return pool.waitedCount();
    }

    /** Closes the idle pooled connections and the name resolver. */
    @Override
    public void close() {
        pool.close();
        synchronized (this) {
            if (resolver != null) {
                resolver.close();
                resolver = null;
            }
        }
    }

    /** How failures map to send errors. */
    static final class Failures {
        private Failures() {}

        static BackendException connect(BackendConfig backend, Throwable cause) {
            SendErrorTag tag = cause instanceof ConnectTimeoutException
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
            } else if (root instanceof CertificateException
                    || root instanceof CertPathValidatorException
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
