package dev.outpost.proxy.server;

import dev.outpost.origin.ClientTimeouts;
import dev.outpost.proxy.observe.ProxyObserver;
import dev.outpost.proxy.session.ClientConnection;
import dev.outpost.proxy.session.ProxyContext;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.handler.codec.http.websocketx.Utf8FrameValidator;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.ssl.SniHandler;
import java.net.InetSocketAddress;

/**
 * The only place the client pipeline is built: limit → TLS (on an {@code https_ports} listener) → HTTP/1.1 codec →
 * timeouts ({@link ClientTimeouts}) → 100-continue → {@link ClientConnection}; and, for a WebSocket upgrade, where it
 * becomes a WebSocket one ({@link #handOver}, {@link #toWebSocket}): limit → TLS → frame encoder → frame decoder →
 * UTF-8 check → message aggregator → the WebSocket session (the timeouts leave by themselves at the {@code 101}).
 */
public final class ProxyChannelInitializer extends ChannelInitializer<SocketChannel> {
    static final int MAX_INITIAL_LINE = 8192;
    static final int MAX_HEADER_SIZE = 64 * 1024;
    static final int MAX_CHUNK = 16 * 1024;
    /**
     * The decoder's line buffer starts this small and grows to the longest line seen (Netty's default, 128, stays for
     * the life of every connection, held streams included).
     */
    static final int LINE_BUFFER = 32;
    /** The longest ClientHello read while looking for the SNI name. */
    static final int MAX_CLIENT_HELLO = 16 * 1024;
    /** A TLS handshake (ClientHello included) that takes longer ends the connection. */
    static final long HANDSHAKE_TIMEOUT_MILLIS = 10_000;

    private final ProxyContext px;
    private final ConnectionLimiter limiter;
    private final TimeoutReport timeouts;
    /** The certificates of a TLS listener ({@code https_ports}), or null on the plain one. */
    private final TlsIdentities tls;

    public ProxyChannelInitializer(ProxyContext px, ConnectionLimiter limiter) {
        this(px, limiter, null);
    }

    /** For a TLS listener: the client's TLS is ended first, with the certificate its SNI name selects. */
    public ProxyChannelInitializer(ProxyContext px, ConnectionLimiter limiter, TlsIdentities tls) {
        this.tls = tls;
        this.px = px;
        this.limiter = limiter;
        this.timeouts = new TimeoutReport(px.drops(), "client");
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ProxyObserver observer = px.observer();
        if (observer != ProxyObserver.NOOP) {
            String id = ch.id().asShortText();
            InetSocketAddress peer = ch.remoteAddress();
            observer.connectionOpened(
                    id, "http", peer == null ? "?" : peer.getAddress().getHostAddress() + ":" + peer.getPort());
            ch.closeFuture().addListener(f -> observer.connectionClosed(id));
        }
        ch.pipeline().addLast("limit", limiter);
        if (tls != null) {
            // replaced by an SslHandler once the ClientHello names the host (default_PORT: the port bound); the
            // session sees that as https
            ch.pipeline()
                    .addLast(
                            "tls",
                            new SniHandler(
                                    tls.forPort(ch.localAddress().getPort()),
                                    MAX_CLIENT_HELLO,
                                    HANDSHAKE_TIMEOUT_MILLIS));
        }
        ch.pipeline()
                .addLast(
                        "codec",
                        new HttpServerCodec(new HttpDecoderConfig()
                                .setMaxInitialLineLength(MAX_INITIAL_LINE)
                                .setMaxHeaderSize(MAX_HEADER_SIZE)
                                .setMaxChunkSize(MAX_CHUNK)
                                .setInitialBufferSize(LINE_BUFFER)))
                .addLast(
                        "timeouts",
                        new ClientTimeouts(
                                px.limits().clientHeaderTimeout(),
                                px.limits().clientKeepAliveTimeout(),
                                px.limits().clientBodyTimeout(),
                                timeouts))
                .addLast("continue", new HttpServerExpectContinueHandler())
                .addLast("client", new ClientConnection(px));
    }

    /**
     * Hands the connection over from the handler of {@code current} (the HTTP connection) to {@code next}, in its
     * place, under the name {@code name}.
     */
    public static void handOver(ChannelHandlerContext current, String name, ChannelHandler next) {
        current.pipeline().replace(current.handler(), name, next);
    }

    /**
     * Puts the WebSocket frame codec in front of the HTTP codec at once, so that messages written right after the
     * {@code 101} are framed (the frame encoder lets the encoded {@code 101} pass). Once the {@code 101} is out, the
     * returned step takes the HTTP codec (and 100-continue) away.
     *
     * @param maxFrame   the largest frame payload the client may send (past it: close 1009)
     * @param maxMessage the largest message, all fragments, the client may send (past it: close 1009)
     */
    public static Runnable toWebSocket(ChannelPipeline p, int maxFrame, int maxMessage) {
        HttpServerCodec codec = p.get(HttpServerCodec.class);
        String codecName = p.context(codec).name();
        WebSocketDecoderConfig dc = WebSocketDecoderConfig.newBuilder()
                .maxFramePayloadLength(maxFrame)
                .expectMaskedFrames(true)
                .allowMaskMismatch(false)
                .allowExtensions(false)
                // the close for a protocol error is sent by the session: Netty's own sends none when the bad frame is
                // itself a close, as one with code 999
                .closeOnProtocolViolation(false)
                .build();
        p.addBefore(codecName, "ws-encoder", new WebSocket13FrameEncoder(false));
        p.addBefore(codecName, "ws-decoder", new WebSocket13FrameDecoder(dc));
        p.addBefore(codecName, "ws-utf8", new Utf8FrameValidator(false));
        p.addBefore(codecName, "ws-aggregator", new WebSocketFrameAggregator(maxMessage));
        return () -> {
            if (p.get(HttpServerExpectContinueHandler.class) != null) {
                p.remove(HttpServerExpectContinueHandler.class);
            }
            p.remove(codec);
        };
    }
}
