package dev.outpost.edge.wat;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * A test origin on Netty that counts the connections it accepts: answers {@code conn=<n> path=<p>
 * client=<certificate subject>}; {@code /stall-body} sends a head and half a body, then nothing; {@code /never} answers nothing. Optionally TLS with
 * the test certificates in {@code certs/mtls} (requiring a client certificate, or limited to some TLS versions).
 */
public final class NettyOrigin implements AutoCloseable {
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel server;
    private final AtomicInteger connections = new AtomicInteger();
    private final boolean tls;

    /** Plain HTTP. */
    public NettyOrigin() {
        this(null);
    }

    private NettyOrigin(SslContext ssl) {
        this.tls = ssl != null;
        server = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        int n = connections.incrementAndGet();
                        if (ssl != null) {
                            ch.pipeline().addLast(ssl.newHandler(ch.alloc()));
                        }
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 20));
                        ch.pipeline().addLast(new SimpleChannelInboundHandler<FullHttpRequest>() {
                            @Override
                            protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
                                answer(ctx, req, n);
                            }
                        });
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0))
                .syncUninterruptibly()
                .channel();
    }

    /** TLS with the test server certificate; {@code requireClientCert} asks for mutual TLS; {@code protocols} or all. */
    public static NettyOrigin tls(boolean requireClientCert, List<String> protocols) {
        try (InputStream cert = resource("server.pem");
                InputStream key = resource("server-key.pem");
                InputStream ca = resource("ca.pem")) {
            SslContextBuilder b = SslContextBuilder.forServer(cert, key);
            if (requireClientCert) {
                b.trustManager(ca).clientAuth(ClientAuth.REQUIRE);
            }
            if (protocols != null) {
                b.protocols(protocols);
            }
            return new NettyOrigin(b.build());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static InputStream resource(String name) {
        return NettyOrigin.class.getResourceAsStream("/certs/mtls/" + name);
    }

    /** A test certificate's PEM text. */
    public static String pem(String name) {
        try (InputStream in = resource(name)) {
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void answer(ChannelHandlerContext ctx, FullHttpRequest req, int connection) {
        if (req.uri().equals("/never")) {
            return;
        }
        if (req.uri().equals("/stall-body")) {
            var head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            HttpUtil.setContentLength(head, 100);
            ctx.write(head);
            ctx.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer("partial", StandardCharsets.US_ASCII)));
            return;
        }
        String client = "-";
        SslHandler ssl = ctx.pipeline().get(SslHandler.class);
        if (ssl != null) {
            try {
                client = ((X509Certificate) ssl.engine().getSession().getPeerCertificates()[0])
                        .getSubjectX500Principal()
                        .getName();
            } catch (SSLPeerUnverifiedException e) {
                client = "none";
            }
        }
        byte[] body =
                ("conn=" + connection + " path=" + req.uri() + " client=" + client).getBytes(StandardCharsets.UTF_8);
        var response =
                new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(body));
        HttpUtil.setContentLength(response, body.length);
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        HttpUtil.setKeepAlive(response, keepAlive);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain");
        var written = ctx.writeAndFlush(response);
        if (!keepAlive) {
            written.addListener(ChannelFutureListener.CLOSE);
        }
    }

    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    public URI uri() {
        return URI.create((tls ? "https" : "http") + "://127.0.0.1:" + port() + "/");
    }

    /** Connections accepted so far. */
    public int connections() {
        return connections.get();
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
