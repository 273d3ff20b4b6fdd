package dev.outpost.edge.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.outpost.edge.config.BackendConfig;
import dev.outpost.edge.config.BackendOptions;
import dev.outpost.edge.sandbox.Body;
import dev.outpost.edge.sandbox.PendingRequest.BackendResponse;
import dev.outpost.edge.sandbox.RequestState;
import dev.outpost.origin.ConnectOptions;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioChannelOption;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import jdk.net.ExtendedSocketOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

/**
 * A backend's connection settings on real connections: {@code max_connections} caps the connections open to it
 * (requests beyond wait, or fail naming the limit), TCP keep-alive reaches the socket, and {@code prefer_ipv4}
 * orders the addresses tried.
 */
class BackendConnectionsTest {
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    private final BackendClient client = new BackendClient(group);

    @AfterEach
    void close() {
        client.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static BackendConfig backend(
            URI url, int maxConnections, Duration connectTimeout, BackendOptions.TcpKeepalive keepalive) {
        BackendOptions o = new BackendOptions(
                null,
                null,
                -1,
                -1,
                null,
                null,
                true,
                BackendOptions.DEFAULT_HTTP_KEEPALIVE,
                maxConnections,
                0,
                Duration.ZERO,
                keepalive,
                false,
                false);
        return new BackendConfig(
                "held",
                url,
                null,
                null,
                true,
                connectTimeout,
                Duration.ofSeconds(60),
                Duration.ofSeconds(60),
                "unknown",
                true,
                null,
                o);
    }

    private CompletableFuture<BackendResponse> get(BackendConfig backend) {
        RequestState request = new RequestState();
        request.uri = backend.url().resolve("/x").toString();
        return client.send(backend, request, Body.of(new byte[0]), false);
    }

    private static String text(BackendResponse response) throws InterruptedException {
        StringBuilder out = new StringBuilder();
        while (true) {
            byte[] chunk = response.body().read(4096);
            if (chunk.length == 0) {
                return out.toString();
            }
            out.append(new String(chunk, StandardCharsets.US_ASCII));
        }
    }

    @Test
    void maxConnectionsCapsTheConnectionsOpenAndLaterRequestsWaitForOne() throws Exception {
        try (HoldingOrigin origin = new HoldingOrigin()) {
            // A connect timeout far longer than the test: the wait must end because a connection came free.
            BackendConfig backend = backend(origin.uri(), 2, Duration.ofSeconds(60), null);
            List<CompletableFuture<BackendResponse>> responses = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                responses.add(get(backend));
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> origin.held() == 2 && client.requestsQueued() == 3);
            assertThat(responses).noneMatch(CompletableFuture::isDone);
            origin.answerAll();
            List<String> bodies = new ArrayList<>();
            for (CompletableFuture<BackendResponse> r : responses) {
                BackendResponse response = r.get(20, TimeUnit.SECONDS);
                assertThat(response.head().status).isEqualTo(200);
                bodies.add(text(response));
            }
            // The three that waited went out on the two kept-alive connections.
            assertThat(bodies).allMatch(b -> b.equals("conn=1") || b.equals("conn=2"));
            assertThat(origin.accepted()).isEqualTo(2);
            assertThat(origin.mostOpen()).isEqualTo(2);
            assertThat(client.connectionsOpened()).isEqualTo(2);
        }
    }

    @Test
    void aRequestThatGetsNoConnectionInTimeFailsNamingTheLimit() throws Exception {
        try (HoldingOrigin origin = new HoldingOrigin()) {
            BackendConfig backend = backend(origin.uri(), 1, Duration.ofMillis(200), null);
            CompletableFuture<BackendResponse> first = get(backend);
            await().atMost(Duration.ofSeconds(20)).until(() -> origin.held() == 1);
            CompletableFuture<BackendResponse> second = get(backend);
            ExecutionException failure =
                    Assertions.assertThrows(ExecutionException.class, () -> second.get(20, TimeUnit.SECONDS));
            assertThat(failure.getCause()).isInstanceOf(BackendException.class);
            BackendException e = (BackendException) failure.getCause();
            assertThat(e.tag()).isEqualTo(SendErrorTag.CONNECTION_LIMIT_REACHED);
            assertThat(e.getMessage())
                    .contains("backend held")
                    .contains("all 1 connections its max_connections allows are in use")
                    .contains("raise its max_connections");
            assertThat(first).isNotDone();
            origin.answerAll();
            assertThat(text(first.get(20, TimeUnit.SECONDS))).isEqualTo("conn=1");
            // The place is free again: the next request goes out on the kept connection.
            assertThat(text(get(backend).get(20, TimeUnit.SECONDS))).isEqualTo("conn=1");
            assertThat(origin.accepted()).isEqualTo(1);
        }
    }

    @Test
    void tcpKeepaliveSettingsReachTheSocket() throws Exception {
        try (HoldingOrigin origin = new HoldingOrigin()) {
            BackendConfig on = backend(
                    origin.uri(),
                    0,
                    Duration.ofSeconds(20),
                    new BackendOptions.TcpKeepalive(Duration.ofSeconds(42), Duration.ofSeconds(7), 5));
            Channel channel = client.open(on, group, p -> {}).get(20, TimeUnit.SECONDS);
            try {
                assertThat(channel.config().getOption(ChannelOption.SO_KEEPALIVE))
                        .isTrue();
                if (supportsKeepaliveTiming()) {
                    assertThat(channel.config().getOption(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPIDLE)))
                            .isEqualTo(42);
                    assertThat(channel.config().getOption(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPINTERVAL)))
                            .isEqualTo(7);
                    assertThat(channel.config().getOption(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPCOUNT)))
                            .isEqualTo(5);
                }
            } finally {
                channel.close().syncUninterruptibly();
            }
            Channel off = client.open(backend(origin.uri(), 0, Duration.ofSeconds(20), null), group, p -> {})
                    .get(20, TimeUnit.SECONDS);
            try {
                assertThat(off.config().getOption(ChannelOption.SO_KEEPALIVE)).isFalse();
            } finally {
                off.close().syncUninterruptibly();
            }
        }
    }

    /** Linux and macOS sockets take the probe timing; elsewhere only SO_KEEPALIVE is checked. */
    private static boolean supportsKeepaliveTiming() throws IOException {
        try (var socket = SocketChannel.open()) {
            return socket.supportedOptions().contains(ExtendedSocketOptions.TCP_KEEPIDLE);
        }
    }

    @Test
    void aNameIsResolvedAndPreferIpv4OrdersTheAddresses() throws Exception {
        try (HoldingOrigin origin = new HoldingOrigin()) {
            origin.answerAll();
            // localhost comes from /etc/hosts, through the DNS resolver.
            URI byName = URI.create("http://localhost:" + origin.uri().getPort() + "/");
            assertThat(text(get(backend(byName, 0, Duration.ofSeconds(20), null))
                            .get(20, TimeUnit.SECONDS)))
                    .isEqualTo("conn=1");
        }
        // The order itself is the origin module's (ConnectOptionsTest); here, that prefer_ipv4 asks for it.
        BackendConfig plain = backend(URI.create("http://localhost/"), 0, Duration.ofSeconds(1), null);
        assertThat(BackendTarget.of(plain).options(plain).order()).isEqualTo(ConnectOptions.AddressOrder.IPV6_FIRST);
        BackendOptions o = plain.options();
        BackendConfig v4First = new BackendConfig(
                plain.name(),
                plain.url(),
                null,
                null,
                true,
                plain.connectTimeout(),
                plain.firstByteTimeout(),
                plain.betweenBytesTimeout(),
                "unknown",
                false,
                null,
                new BackendOptions(
                        null,
                        null,
                        -1,
                        -1,
                        null,
                        null,
                        o.pooled(),
                        o.httpKeepalive(),
                        0,
                        0,
                        o.maxLifetime(),
                        null,
                        true,
                        false));
        assertThat(BackendTarget.of(v4First).options(v4First).order())
                .isEqualTo(ConnectOptions.AddressOrder.IPV4_FIRST);
    }

    @Test
    void aTlsHandshakeTheServerNeverAnswersEndsWithTheConnectTimeout() throws Exception {
        // Accepts and then says nothing: the TCP connect succeeds, the TLS handshake never ends.
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            List<Socket> held = new ArrayList<>();
            Thread acceptor = Thread.ofPlatform().daemon().start(() -> {
                try {
                    while (true) {
                        held.add(silent.accept());
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            });
            BackendConfig backend =
                    backend(URI.create("https://127.0.0.1:" + silent.getLocalPort()), 0, Duration.ofMillis(300), null);
            ExecutionException e = Assertions.assertThrows(
                    ExecutionException.class, () -> get(backend).get(20, TimeUnit.SECONDS));
            assertThat(e.getCause()).isInstanceOf(BackendException.class);
            BackendException failure = (BackendException) e.getCause();
            assertThat(failure.tag()).isEqualTo(SendErrorTag.CONNECTION_TIMEOUT);
            assertThat(failure.getMessage()).contains("no connection within the connect timeout of 300 ms");
            silent.close();
            acceptor.join();
            for (Socket socket : held) {
                socket.close();
            }
        }
    }
}
