package dev.outpost.edge.backend;

import dev.outpost.edge.config.BackendConfig;
import dev.outpost.edge.sandbox.Body;
import dev.outpost.edge.sandbox.HeaderList;
import dev.outpost.edge.sandbox.PendingRequest.BackendResponse;
import dev.outpost.edge.sandbox.RequestState;
import dev.outpost.origin.OriginConnector;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.nio.NioDatagramChannel;
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
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends guest requests to backends over Netty, on pooled keep-alive connections ({@link BackendPool}) opened by the
 * {@code origin} module's {@link OriginConnector} (asynchronous DNS, its TLS context cache) with each backend's
 * settings ({@link BackendTarget}) and timeouts: connect, first byte (from the end of the request), and between
 * bytes. The response completes as soon as its head arrives; its body streams into a {@link Body}, with flow
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
    private final OriginConnector connector;
    /** Whether {@link #close()} closes the connector (this client made it). */
    private final boolean ownsConnector;

    private final BackendPool pool;

    /**
     * A client with a connector of its own (NIO), closed with it.
     *
     * @param group runs the connections, name lookups and waits for a connection
     */
    public BackendClient(EventLoopGroup group) {
        this(group, new OriginConnector(NioSocketChannel.class, NioDatagramChannel.class), true);
    }

    /**
     * A client that opens its connections through {@code connector} (shared, say, by the programs a server loads in
     * turn: one DNS resolver and one set of TLS contexts for them all), which the caller closes.
     *
     * @param group NIO event loops: run the connections, name lookups and waits for a connection
     */
    public BackendClient(EventLoopGroup group, OriginConnector connector) {
        this(group, connector, false);
    }

    private BackendClient(EventLoopGroup group, OriginConnector connector, boolean ownsConnector) {
        this.group = group;
        this.connector = connector;
        this.ownsConnector = ownsConnector;
        this.pool = new BackendPool(group);
    }

    /** How this client connects: also what a handoff to the GRIP proxy connects through. */
    public OriginConnector connector() {
        return connector;
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
        BackendTarget to;
        try {
            to = BackendTarget.of(backend);
        } catch (BackendException e) {
            result.completeExceptionally(e);
            return result;
        }
        Call call = new Call(backend, request, target, host, body, body.completeBytes(), decompressGzip, result);
        acquire(call, to, false);
        return result;
    }

    /** Finds {@code call} a connection: an idle one, a new one, or a place in the queue for one (max_connections). */
    private void acquire(Call call, BackendTarget target, boolean first) {
        pool.acquire(target, call.backend(), first, new BackendPool.Lease() {
            @Override
            public void reuse(BackendPool.Connection c) {
                start(call, target, c, true);
            }

            @Override
            public void open() {
                connect(call, target);
            }

            @Override
            public void refused(BackendException e) {
                call.result().completeExceptionally(e);
            }
        });
    }

    private void connect(Call call, BackendTarget target) {
        CompletableFuture<Channel> opened = new CompletableFuture<>();
        open(
                call.backend(),
                target,
                group.next(),
                pipeline -> {
                    pipeline.addLast("codec", new HttpClientCodec());
                    pipeline.addLast("exchange", new ChannelInboundHandlerAdapter());
                },
                opened);
        opened.whenComplete((channel, failure) -> {
            if (failure != null) {
                pool.notOpened(target);
                call.result().completeExceptionally(failure);
                return;
            }
            BackendPool.Connection c = new BackendPool.Connection(channel);
            pool.opened(target, c);
            start(call, target, c, false);
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
        BackendTarget target;
        try {
            target = BackendTarget.of(backend);
        } catch (BackendException e) {
            result.completeExceptionally(e);
            return result;
        }
        open(backend, target, loop.next(), handlers, result);
        return result;
    }

    private void open(
            BackendConfig backend,
            BackendTarget target,
            EventLoop loop,
            Consumer<ChannelPipeline> handlers,
            CompletableFuture<Channel> result) {
        if (target.tls() != null) {
            try {
                // A TLS setting that cannot be used fails here, before any connection (the context is kept).
                connector.tls().context(target.tls());
            } catch (SSLException e) {
                result.completeExceptionally(BackendTarget.unusable(backend, e));
                return;
            }
        }
        connector
                .connect(loop, target.endpoint(), target.options(backend), ch -> {
                    TcpKeepaliveOptions.apply(ch, backend.options().tcpKeepalive());
                    handlers.accept(ch.pipeline());
                })
                .addListener(f -> {
                    if (f.isSuccess()) {
                        result.complete((Channel) f.getNow());
                    } else if (Failures.sslCause(f.cause()) != null) {
                        // A handshake failure is the connection's failure: reported before anything is sent.
                        result.completeExceptionally(Failures.tls(backend, f.cause()));
                    } else {
                        result.completeExceptionally(Failures.connect(backend, f.cause()));
                    }
                });
    }

    /** Sends the call on {@code c}; a reused connection that turns out closed is retried once on a new one. */
    private void start(Call call, BackendTarget target, BackendPool.Connection c, boolean reused) {
        c.uses++;
        Channel channel = c.channel;
        ResponseHandler handler = new ResponseHandler(call, reused, (reusable, retry) -> {
            if (retry) {
                // Its close frees its place; the call goes first in line for the next one.
                channel.close();
                acquire(call, target, true);
                return;
            }
            for (String name : new String[] {"timeout", "decompress"}) {
                if (channel.pipeline().get(name) != null) {
                    channel.pipeline().remove(name);
                }
            }
            if (reusable) {
                pool.release(target, call.backend(), c);
            } else {
                channel.close();
            }
        });
        channel.eventLoop().execute(() -> {
            if (channel.pipeline().get("exchange") == null) {
                // The connection closed, and Netty emptied its pipeline, before the call could start on it: as a reused
                // connection closed on reuse, once more on a new one; otherwise the call fails (it would wait forever).
                channel.close();
                if (reused && call.complete() != null) {
                    acquire(call, target, true);
                } else {
                    call.result()
                            .completeExceptionally(new BackendException(
                                    SendErrorTag.CONNECTION_TERMINATED,
                                    "backend " + call.backend().name()
                                            + " closed the connection before the request was sent",
                                    null));
                }
                return;
            }
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

    /** Closes the idle pooled connections, and the connector if this client made it. */
    @Override
    public void close() {
        pool.close();
        if (ownsConnector) {
            connector.close();
        }
    }
}
