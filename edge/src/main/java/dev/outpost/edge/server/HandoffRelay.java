package dev.outpost.edge.server;

import dev.outpost.edge.sandbox.Body;
import dev.outpost.origin.ConnectOptions;
import dev.outpost.origin.Endpoint;
import dev.outpost.origin.OriginConnector;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Passes a handed-off client request to its target (the GRIP proxy, or a backend for WebSocket passthrough) over a
 * new connection, and the target's response back to the client as it arrives: a held long-poll or stream is simply
 * a slow response. A {@code 101} turns both connections into a byte pipe, so WebSockets work through it.
 *
 * <p>Both targets are reached through the {@code origin} module's connector: the proxy on loopback, a backend as every
 * request to it is ({@link dev.outpost.edge.backend.BackendClient#open}): its TLS settings (a context built once per
 * setting, not per handoff), name resolution, connect timeout and TCP keep-alive apply.
 *
 * <p>Runs on the client connection's event loop; the target connection shares it, so the two never race.
 */
final class HandoffRelay {
    private static final Logger log = LoggerFactory.getLogger(EdgeServer.class);

    /** What the relay reports back to the exchange. */
    interface Listener {
        /** The target could not be reached or failed before its response began: answer the client with an error. */
        void failed(int status, String message);

        /** The response began with {@code status}; {@code whenDone} gets the client write of its end. */
        void started(int status);

        /** The whole response went to the client; {@code keepAlive} says whether the client connection may go on. */
        void finished(int status, boolean keepAlive, boolean success);
    }

    /** What the request log shows for a client that left before the target answered (nginx's convention). */
    static final int CLIENT_LEFT = 499;

    private final Channel client;
    private final HttpRequest request;
    private final Body body;
    private final String label;
    private final Listener listener;
    private final boolean clientKeepAlive;
    private Channel target;

    private HandoffRelay(
            Channel client, HttpRequest request, Body body, String label, boolean clientKeepAlive, Listener listener) {
        this.client = client;
        this.request = request;
        this.body = body;
        this.label = label;
        this.clientKeepAlive = clientKeepAlive;
        this.listener = listener;
    }

    /** How the target's connection is opened; {@code handlers} go after whatever the target needs (such as TLS). */
    @FunctionalInterface
    interface Target {
        CompletableFuture<Channel> open(EventLoop loop, Consumer<ChannelPipeline> handlers);
    }

    /** How long the GRIP proxy on loopback may take to accept a connection. */
    private static final ConnectOptions LOOPBACK = new ConnectOptions(
            Duration.ofSeconds(5), Duration.ZERO, ConnectOptions.AddressOrder.AS_RESOLVED, null, null);

    /** A plain connection to the GRIP proxy's client port on loopback, through {@code connector}. */
    static Target proxy(OriginConnector connector, int port) {
        Endpoint proxy = Endpoint.of("127.0.0.1", port, false);
        return (loop, handlers) -> {
            CompletableFuture<Channel> result = new CompletableFuture<>();
            connector
                    .connect(loop, proxy, LOOPBACK, ch -> handlers.accept(ch.pipeline()))
                    .addListener(f -> {
                        if (f.isSuccess()) {
                            result.complete((Channel) f.getNow());
                        } else {
                            result.completeExceptionally(f.cause());
                        }
                    });
            return result;
        };
    }

    /**
     * Opens a connection to {@code target} and sends {@code request} followed by {@code body} (read until it ends).
     *
     * @param label how the target is named in logs and errors
     */
    static void start(
            Channel client,
            Target target,
            HttpRequest request,
            Body body,
            String label,
            boolean clientKeepAlive,
            Listener listener) {
        HandoffRelay relay = new HandoffRelay(client, request, body, label, clientKeepAlive, listener);
        client.eventLoop().execute(() -> relay.connect(target));
    }

    private void connect(Target to) {
        to.open(client.eventLoop(), pipeline -> {
                    pipeline.addLast("http", new HttpClientCodec());
                    pipeline.addLast("relay", new FromTarget());
                })
                .whenComplete((channel, failure) -> client.eventLoop().execute(() -> {
                    if (failure != null) {
                        body.abandon();
                        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                                ? failure.getCause()
                                : failure;
                        listener.failed(500, "Error: Could not connect to handoff target: " + cause.getMessage());
                        return;
                    }
                    target = channel;
                    if (!client.isActive()) {
                        target.close();
                        return;
                    }
                    // The client leaving ends the handed-off exchange (a held long-poll, a stream, a WebSocket).
                    client.closeFuture().addListener(c -> target.close());
                    sendRequest();
                }));
    }

    private void sendRequest() {
        target.write(request).addListener(writeFailure());
        byte[] complete = body.completeBytes();
        if (complete != null) {
            if (complete.length > 0) {
                target.write(new DefaultHttpContent(Unpooled.wrappedBuffer(complete)));
            }
            target.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(writeFailure());
            return;
        }
        target.flush();
        // The client may still be sending its body: copy it on as it arrives, off the event loop.
        Thread.ofVirtual().name("edge-handoff-body").start(() -> {
            try {
                while (true) {
                    byte[] chunk = body.read(64 * 1024);
                    if (chunk.length == 0) {
                        break;
                    }
                    var written = target.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(chunk)));
                    if (!target.isWritable()) {
                        written.await();
                    }
                    if (!target.isActive()) {
                        return;
                    }
                }
                if (body.abandoned()) {
                    target.close();
                    return;
                }
                target.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
            } catch (InterruptedException e) {
                target.close();
            }
        });
    }

    private ChannelFutureListener writeFailure() {
        return f -> {
            if (!f.isSuccess() && !responseStarted) {
                responseStarted = true;
                listener.failed(
                        502, "Error: Handoff request failed: " + f.cause().getMessage());
                f.channel().close();
            }
        };
    }

    private boolean responseStarted;

    /** The target's response, on its way to the client. */
    private final class FromTarget extends ChannelInboundHandlerAdapter {
        private int status;
        private boolean keepAlive;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof HttpObject)) {
                // Only after a 101, before this handler was replaced.
                client.writeAndFlush(msg);
                return;
            }
            if (msg instanceof HttpResponse response) {
                if (response.status().code() == 100) {
                    // The client already had its 100 Continue from this server.
                    ReferenceCountUtil.release(msg);
                    return;
                }
                responseStarted = true;
                status = response.status().code();
                log.info("Handoff target '{}' responded with status: {}", label, response.status());
                if (status == 101) {
                    upgrade(ctx, response);
                    ReferenceCountUtil.release(msg);
                    return;
                }
                listener.started(status);
                boolean framed = HttpUtil.isContentLengthSet(response) || HttpUtil.isTransferEncodingChunked(response);
                keepAlive = clientKeepAlive && framed;
                HttpResponse head = new DefaultHttpResponse(
                        HttpVersion.HTTP_1_1,
                        response.status(),
                        response.headers().copy());
                head.headers().remove(HttpHeaderNames.CONNECTION);
                head.headers().remove("keep-alive");
                HttpUtil.setKeepAlive(head, keepAlive);
                // Flushed at once: a held stream may send no body for a long time.
                client.writeAndFlush(head);
            }
            if (msg instanceof HttpContent content) {
                boolean last = content instanceof LastHttpContent;
                var written = client.writeAndFlush(content.retain());
                if (last) {
                    int s = status;
                    boolean k = keepAlive;
                    written.addListener(f -> listener.finished(s, k, f.isSuccess()));
                    ctx.close();
                } else if (!client.isWritable()) {
                    // The client reads slower than the target sends: stop reading the target until it catches up.
                    ctx.channel().config().setAutoRead(false);
                    written.addListener(f -> ctx.channel().config().setAutoRead(true));
                }
            }
            ReferenceCountUtil.release(msg);
        }

        /** Both sides switch protocols: the 101 goes out, then bytes flow unchanged both ways. */
        private void upgrade(ChannelHandlerContext ctx, HttpResponse response) {
            listener.started(101);
            HttpResponse head = new DefaultFullHttpResponse(
                    HttpVersion.HTTP_1_1,
                    HttpResponseStatus.SWITCHING_PROTOCOLS,
                    Unpooled.EMPTY_BUFFER,
                    response.headers().copy(),
                    EmptyHttpHeaders.INSTANCE);
            // Encoded on this thread, before the codec is removed.
            client.writeAndFlush(head);
            ChannelPipeline clientPipeline = client.pipeline();
            for (Class<? extends ChannelHandler> type :
                    List.of(HttpServerExpectContinueHandler.class, EdgeRequestHandler.class)) {
                if (clientPipeline.get(type) != null) {
                    clientPipeline.remove(type);
                }
            }
            clientPipeline.addLast(new Pipe(ctx.channel(), "client"));
            if (clientPipeline.get(HttpServerCodec.class) != null) {
                clientPipeline.remove(HttpServerCodec.class);
            }
            ChannelPipeline targetPipeline = ctx.pipeline();
            targetPipeline.replace(this, "pipe", new Pipe(client, "target"));
            targetPipeline.remove("http");
            client.config().setAutoRead(true);
            client.read();
            client.closeFuture().addListener(f -> listener.finished(101, false, true));
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (target == null) {
                // Closed while being opened (a failed TLS handshake): the opening reports that.
                ctx.fireChannelInactive();
                return;
            }
            if (!client.isActive() && !responseStarted) {
                // The client left first (which closed this connection): nobody to answer.
                responseStarted = true;
                listener.finished(CLIENT_LEFT, false, false);
            } else if (!responseStarted) {
                responseStarted = true;
                listener.failed(502, "Error: Handoff request failed: connection closed before a response");
            } else {
                // Ended mid-response: the client must see the body is incomplete.
                client.close();
            }
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.debug("handoff target '{}' failed: {}", label, cause.toString());
            ctx.close();
        }
    }

    /** Copies bytes to {@code peer}, pausing reads while the peer cannot keep up, and closes the peer at the end. */
    private static final class Pipe extends ChannelInboundHandlerAdapter {
        private final Channel peer;
        private final String side;

        Pipe(Channel peer, String side) {
            this.peer = peer;
            this.side = side;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof ByteBuf)) {
                ReferenceCountUtil.release(msg);
                return;
            }
            var written = peer.writeAndFlush(msg);
            if (!peer.isWritable()) {
                ctx.channel().config().setAutoRead(false);
                written.addListener(f -> ctx.channel().config().setAutoRead(true));
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.debug("handoff pipe ({}) failed: {}", side, cause.toString());
            ctx.close();
        }
    }
}
