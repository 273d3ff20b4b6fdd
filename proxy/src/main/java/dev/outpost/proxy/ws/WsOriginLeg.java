package dev.outpost.proxy.ws;

import dev.outpost.grip.publish.WsMessageType;
import dev.outpost.origin.OriginConnector;
import dev.outpost.proxy.route.Target;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A WebSocket origin: the proxy's own handshake with its own key (the client's extensions are not offered; the
 * subprotocols are), then whole messages both ways. Close codes and reasons, pings and pongs keep their payloads.
 */
final class WsOriginLeg implements OriginLeg {
    private static final Logger log = LoggerFactory.getLogger(WsOriginLeg.class);
    static final int HANDSHAKE_TIMEOUT_SECONDS = 30;

    private final EventLoop loop;
    private final OriginConnector connector;
    private final Target target;
    private final String uri;
    private final HttpHeaders headers;
    private final Listener listener;
    private final String key;
    private Channel origin;
    private boolean open;
    private boolean done;
    private boolean closeSent;

    /** Reaches {@code setup}'s target with its URI and headers; the rest of the setup is not used. */
    WsOriginLeg(LegSetup setup, Listener listener) {
        this.loop = setup.loop();
        this.connector = setup.connector();
        this.target = setup.target();
        this.uri = setup.uri();
        this.headers = setup.headers();
        this.listener = listener;
        byte[] nonce = new byte[16];
        ThreadLocalRandom.current().nextBytes(nonce);
        this.key = Base64.getEncoder().encodeToString(nonce);
    }

    @Override
    public void start() {
        Future<Channel> f = connector.connect(
                loop,
                target.endpoint(),
                ch -> ch.pipeline().addLast(new ChannelHandler[] {
                    new HttpClientCodec(8192, 64 * 1024, 16 * 1024),
                    new HttpObjectAggregator(WsSession.MAX_REJECT_BODY),
                    new Handler()
                }));
        f.addListener(x -> {
            if (done) {
                if (x.isSuccess()) {
                    f.getNow().close();
                }
                return;
            }
            if (!x.isSuccess()) {
                done = true;
                listener.unreachable(String.valueOf(x.cause()));
                return;
            }
            origin = f.getNow();
            loop.schedule(
                    () -> {
                        if (!open && !done) {
                            done = true;
                            origin.close();
                            listener.failed(
                                    "no handshake answer from the origin within " + HANDSHAKE_TIMEOUT_SECONDS + " s");
                        }
                    },
                    HANDSHAKE_TIMEOUT_SECONDS,
                    TimeUnit.SECONDS);
            FullHttpRequest r = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
            r.headers().add(headers);
            r.headers().set("Upgrade", "websocket");
            r.headers().set("Connection", "Upgrade");
            r.headers().set("Sec-WebSocket-Key", key);
            r.headers().set("Sec-WebSocket-Version", "13");
            origin.writeAndFlush(r);
        });
    }

    private final class Handler extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (done) {
                    return;
                }
                if (msg instanceof FullHttpResponse r) {
                    handshake(ctx, r);
                } else if (msg instanceof WebSocketFrame f) {
                    frame(f);
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            // the client's reads pause while the origin can't take more
            listener.backlogChanged();
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.debug("WebSocket origin {}: {}", target.address(), cause.toString());
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (done) {
                return;
            }
            done = true;
            // without a close frame this is an error either way: a 502 before the 101, a 1011 after it
            listener.failed(
                    open
                            ? "origin dropped the connection without a close"
                            : "origin closed the connection during the handshake");
        }
    }

    private void handshake(ChannelHandlerContext ctx, FullHttpResponse r) {
        if (r.decoderResult().isFailure()) {
            done = true;
            origin.close();
            listener.failed("bad handshake response: " + r.decoderResult().cause());
            return;
        }
        if (r.status().code() != 101) {
            done = true;
            origin.close();
            listener.rejected(
                    r.status().code(), r.status().reasonPhrase(), r.headers(), ByteBufUtil.getBytes(r.content()));
            return;
        }
        String accept = r.headers().get("Sec-WebSocket-Accept");
        if (accept == null || !accept.trim().equals(WsHeaders.accept(key))) {
            done = true;
            origin.close();
            listener.failed("origin's Sec-WebSocket-Accept: " + accept + " (expected: " + WsHeaders.accept(key) + ")");
            return;
        }
        open = true;
        var p = ctx.pipeline();
        WebSocketDecoderConfig cfg = WebSocketDecoderConfig.newBuilder()
                .expectMaskedFrames(false)
                .maxFramePayloadLength(WsSession.MAX_FRAME)
                .allowExtensions(false)
                .closeOnProtocolViolation(true)
                .build();
        HttpClientCodec codec = p.get(HttpClientCodec.class);
        String codecName = p.context(codec).name();
        p.addAfter(codecName, "ws-decoder", new WebSocket13FrameDecoder(cfg));
        p.addAfter("ws-decoder", "ws-aggregator", new WebSocketFrameAggregator(WsSession.MAX_MESSAGE));
        p.addAfter(codecName, "ws-encoder", new WebSocket13FrameEncoder(true));
        p.remove(HttpObjectAggregator.class);
        codec.removeOutboundHandler();
        // the codec may still hold bytes that followed the 101; removing it later hands them on
        ctx.channel().eventLoop().execute(() -> {
            if (p.get(HttpClientCodec.class) != null) {
                p.remove(codec);
            }
        });
        listener.opened(r.headers());
    }

    private void frame(WebSocketFrame f) {
        byte[] data = ByteBufUtil.getBytes(f.content());
        if (f instanceof TextWebSocketFrame) {
            listener.message(new Msg(WsMessageType.TEXT, data));
        } else if (f instanceof BinaryWebSocketFrame) {
            listener.message(new Msg(WsMessageType.BINARY, data));
        } else if (f instanceof PingWebSocketFrame) {
            listener.message(new Msg(WsMessageType.PING, data));
        } else if (f instanceof PongWebSocketFrame) {
            listener.message(new Msg(WsMessageType.PONG, data));
        } else if (f instanceof CloseWebSocketFrame c) {
            int code = c.content().readableBytes() >= 2 ? c.statusCode() : -1;
            String reason = code >= 0 ? c.reasonText() : "";
            done = true;
            if (!closeSent) {
                // answer the origin's close with its own code, as RFC 6455 §5.5.1 asks
                closeSent = true;
                origin.writeAndFlush(WsHeaders.closeFrame(code, reason)).addListener(x -> origin.close());
            } else {
                origin.close();
            }
            listener.closed(code, reason);
        }
    }

    @Override
    public void send(Msg m) {
        if (!open || done || closeSent) {
            return;
        }
        origin.writeAndFlush(m.frame());
        if (!origin.isWritable()) {
            listener.backlogChanged();
        }
    }

    @Override
    public boolean acceptsMore() {
        return origin == null || origin.isWritable();
    }

    @Override
    public void clientWritable(boolean writable) {
        if (open && !done && origin != null) {
            origin.config().setAutoRead(writable);
        }
    }

    @Override
    public void close(int code, String reason) {
        if (done || closeSent) {
            return;
        }
        if (!open) {
            done = true;
            if (origin != null) {
                origin.close();
            }
            return;
        }
        closeSent = true;
        origin.writeAndFlush(WsHeaders.closeFrame(code, reason));
    }

    @Override
    public void disconnect() {
        done = true;
        if (origin != null) {
            origin.close();
        }
    }
}
