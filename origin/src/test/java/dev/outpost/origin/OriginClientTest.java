package dev.outpost.origin;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The connector, pool and client against a real HTTP server on a free port. */
@Timeout(60)
class OriginClientTest {
    static HttpServer server;
    static EventLoopGroup group;
    static OriginConnector connector;
    static OriginPool pool;
    static OriginClient client;

    @BeforeAll
    static void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
            byte[] body = ("hello " + ex.getRequestMethod() + " " + ex.getRequestURI() + " "
                            + ex.getRequestHeaders().getFirst("Host"))
                    .getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(body);
            }
        });
        server.start();
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        connector = new OriginConnector(NioSocketChannel.class, NioDatagramChannel.class);
        pool = new OriginPool(connector);
        client = new OriginClient(pool);
    }

    @AfterAll
    static void stop() {
        pool.close();
        connector.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        server.stop(0);
    }

    record Outcome(int status, String body, String failure) {}

    private static Outcome fetch(List<Endpoint> endpoints, int maxBody) throws Exception {
        CompletableFuture<Outcome> done = new CompletableFuture<>();
        EventLoop loop = group.next();
        OriginClient.Request req = new OriginClient.Request(
                HttpMethod.GET, "/x?y", new DefaultHttpHeaders(), maxBody, Duration.ofSeconds(30));
        loop.execute(() -> client.start(loop, endpoints, req, new OriginClient.Callback() {
            @Override
            public void response(HttpResponse head, byte[] body) {
                done.complete(new Outcome(head.status().code(), new String(body, StandardCharsets.UTF_8), null));
            }

            @Override
            public void failed(String why) {
                done.complete(new Outcome(0, null, why));
            }
        }));
        return done.get(30, TimeUnit.SECONDS);
    }

    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void aNameIsResolvedAndTheConnectionGoesBackToThePool() throws Exception {
        Endpoint e = Endpoint.of("localhost", server.getAddress().getPort(), false);
        Outcome o = fetch(List.of(e), 1000);
        assertThat(o.status()).isEqualTo(200);
        assertThat(o.body())
                .isEqualTo("hello GET /x?y localhost:" + server.getAddress().getPort());
        // the keep-alive connection is idle in the pool of the loop it lives on
        EventLoop loop = group.next();
        Channel idle =
                loop.submit(() -> OriginPool.pollIdle(pool.idleOn(loop), e)).get(10, TimeUnit.SECONDS);
        assertThat(idle).isNotNull();
        idle.close().syncUninterruptibly();
    }

    @Test
    void theNextEndpointIsTriedWhenOneRefuses() throws Exception {
        Outcome o = fetch(
                List.of(
                        Endpoint.of("127.0.0.1", closedPort(), false),
                        Endpoint.of("127.0.0.1", server.getAddress().getPort(), false)),
                1000);
        assertThat(o.status()).isEqualTo(200);
    }

    @Test
    void whenNoEndpointAnswersTheLastErrorIsGiven() throws Exception {
        Outcome o = fetch(List.of(Endpoint.of("127.0.0.1", closedPort(), false)), 1000);
        assertThat(o.failure()).startsWith("connect: ").contains("Connection refused");
    }

    @Test
    void aBodyOverTheLimitFails() throws Exception {
        Outcome o = fetch(List.of(Endpoint.of("127.0.0.1", server.getAddress().getPort(), false)), 5);
        assertThat(o.failure()).isEqualTo("response body larger than 5 bytes");
    }

    @Test
    void anUnknownNameFailsTheConnect() throws Exception {
        Future<Channel> f = connector.connect(group.next(), Endpoint.of("no-such-host.invalid", 80, false), ch -> {});
        assertThat(f.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(f.cause()).isInstanceOf(UnknownHostException.class);
    }

    @Test
    void aFailedTlsHandshakeIsAConnectFailure() throws Exception {
        // a server that answers the TLS hello with plain text: the future fails instead of handing over a channel
        try (ServerSocket plain = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread t = Thread.ofVirtual().start(() -> {
                try (Socket s = plain.accept()) {
                    s.getOutputStream().write("HTTP/1.1 400 Bad Request\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                } catch (IOException ignored) {
                    // the test fails on the client side if this went wrong
                }
            });
            Future<Channel> f = connector.connect(
                    group.next(),
                    new Endpoint("127.0.0.1", plain.getLocalPort(), true, "localhost", true),
                    ch -> ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                            ctx.close();
                        }
                    }));
            assertThat(f.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(f.isSuccess()).isFalse();
            t.join(10_000);
        }
    }

    @Test
    void oneTlsContextPerTrustMode() throws Exception {
        TlsContexts t = new TlsContexts();
        assertThat(t.forTrust(true)).isSameAs(t.forTrust(true));
        assertThat(t.forTrust(false)).isSameAs(t.forTrust(false)).isNotSameAs(t.forTrust(true));
    }

    @Test
    void failoverNamesWhatItTried() {
        Failover<Endpoint> f =
                new Failover<>(List.of(Endpoint.of("a", 1, false), Endpoint.of("[::1]", 2, false)), Endpoint::address);
        assertThat(f.lastTried()).isEqualTo("?");
        assertThat(f.next().host()).isEqualTo("a");
        assertThat(f.next().host()).isEqualTo("::1");
        assertThat(f.next()).isNull();
        assertThat(f.lastTried()).isEqualTo("[::1]:2");
        assertThat(f.exhausted()).isEqualTo("Unable to connect to any targets. Tried: a:1, [::1]:2");
    }
}
