package dev.outpost.edge.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.edge.config.BackendConfig;
import dev.outpost.edge.config.BackendOptions;
import dev.outpost.edge.config.LocalServerConfig;
import dev.outpost.edge.wat.NettyOrigin;
import dev.outpost.edge.wat.Wat;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * What a handoff puts on the wire, checked at a raw socket standing in for the GRIP proxy (Fanout) or a WebSocket
 * backend (passthrough): the forwarded request head and body, a streamed response, and a 101 turned into a byte pipe
 * both ways.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60)
class HandoffTest {
    private FakeTarget proxy;
    private FakeTarget wsOrigin;
    private EdgeServer edge;
    private EdgeConfig config;

    @BeforeAll
    void start() throws IOException {
        proxy = new FakeTarget();
        wsOrigin = new FakeTarget();
        LocalServerConfig local = new LocalServerConfig(
                Map.of(
                        "wsorigin",
                        new BackendConfig(
                                "wsorigin",
                                URI.create("http://127.0.0.1:" + wsOrigin.port() + "/base"),
                                "ws.example",
                                null,
                                true,
                                BackendConfig.DEFAULT_CONNECT_TIMEOUT,
                                BackendConfig.DEFAULT_FIRST_BYTE_TIMEOUT,
                                BackendConfig.DEFAULT_BETWEEN_BYTES_TIMEOUT,
                                "unknown",
                                false,
                                null)),
                Map.of(),
                Map.of(),
                Map.of(),
                Map.of(),
                true,
                Map.of(),
                Map.of());
        config = EdgeConfig.of(TestApps.wasm("app"))
                .withAddress(new InetSocketAddress("127.0.0.1", 0))
                .withEngine("chicory")
                .withLocalServer(local)
                .withHandoffPort(proxy.port())
                .withLogSink((endpoint, message) -> {});
        edge = new EdgeServer(config).start();
    }

    @AfterAll
    void stop() throws IOException {
        if (edge != null) {
            edge.close();
        }
        proxy.close();
        wsOrigin.close();
    }

    /** Slow or silent clients are closed on the edge's port, by the GRIP proxy's rule (issue 16, item 3). */
    @Test
    void anIdleClientAnUnfinishedHeadAndABodyThatStopsAreClosed() throws Exception {
        EdgeConfig quick = config.withLimits(config.limits().withClientTimeout(Duration.ofSeconds(1)));
        try (EdgeServer impatient = new EdgeServer(quick).start();
                Socket idle = new Socket("127.0.0.1", impatient.port());
                Socket slow = new Socket("127.0.0.1", impatient.port());
                Socket halfBody = new Socket("127.0.0.1", impatient.port())) {
            idle.setSoTimeout(20_000);
            slow.setSoTimeout(20_000);
            halfBody.setSoTimeout(20_000);
            send(slow, "GET /fanout HTTP/1.1\r\nHost: app.test\r\n");
            send(halfBody, "POST /echo HTTP/1.1\r\nHost: app.test\r\nContent-Length: 100\r\n\r\n" + "x".repeat(50));
            assertThat(idle.getInputStream().read()).isEqualTo(-1);
            assertThat(slow.getInputStream().read()).isEqualTo(-1);
            // the guest waits for the rest of the body, which never comes
            assertThat(closedByPeer(halfBody)).isTrue();
        }
    }

    @Test
    void aFanoutHandoffForwardsTheGuestsHeadersTheProtectedOriginalsAndTheOriginalBody() throws Exception {
        proxy.reply(
                "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n" + "5\r\nfirst\r\n",
                "6\r\nsecond\r\n0\r\n\r\n");
        try (Socket client = connect()) {
            send(
                    client,
                    "POST /fanout-edit?q=1 HTTP/1.1\r\nHost: app.test\r\nX-Drop: 1\r\nCdn-Loop: from-client\r\n"
                            + "Content-Length: 11\r\nConnection: close\r\n\r\nclient body");
            String response = readAll(client);
            assertThat(response)
                    .startsWith("HTTP/1.1 200 OK\r\n")
                    .contains("first")
                    .contains("second");
        }
        String request = proxy.received.poll(10, TimeUnit.SECONDS);
        assertThat(request).startsWith("POST /fanout-edit?q=1 HTTP/1.1\r\n");
        String lower = request.toLowerCase();
        assertThat(lower)
                .contains(
                        "host: 127.0.0.1:" + proxy.port() + "\r\n",
                        "pushpin-route: self\r\n",
                        "x-edited: yes\r\n",
                        "cdn-loop: from-client\r\n",
                        "content-length: 11\r\n")
                .doesNotContain("x-drop", "from-guest", "grip-sig");
        assertThat(request).endsWith("\r\n\r\nclient body");
    }

    @Test
    void aSwitchingProtocolsResponseBecomesABytePipeBothWays() throws Exception {
        proxy.reply(
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        + "Sec-WebSocket-Accept: x\r\n\r\nfrom-proxy",
                null);
        try (Socket client = connect()) {
            send(
                    client,
                    "GET /fanout HTTP/1.1\r\nHost: app.test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
            String head = readUntil(client, "from-proxy");
            assertThat(head).startsWith("HTTP/1.1 101 Switching Protocols\r\n").contains("Sec-WebSocket-Accept: x");
            send(client, "to-proxy");
            assertThat(readUntil(client, "echo:to-proxy")).endsWith("echo:to-proxy");
        }
        String request = proxy.received.poll(10, TimeUnit.SECONDS);
        assertThat(request.toLowerCase())
                .contains(
                        "upgrade: websocket\r\n",
                        "sec-websocket-key: dghlihnhbxbszsbub25jzq==",
                        "pushpin-route: origin\r\n");
    }

    @Test
    void aWebSocketPassthroughGoesToTheBackendWithItsHostAndPathPrefix() throws Exception {
        wsOrigin.reply("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\nhi", null);
        try (Socket client = connect()) {
            send(
                    client,
                    "GET /ws-passthrough HTTP/1.1\r\nHost: app.test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
            assertThat(readUntil(client, "hi")).startsWith("HTTP/1.1 101 ");
            send(client, "ping");
            readUntil(client, "echo:ping");
        }
        String request = wsOrigin.received.poll(10, TimeUnit.SECONDS);
        assertThat(request).startsWith("GET /base/ws-passthrough HTTP/1.1\r\n");
        assertThat(request.toLowerCase()).contains("host: ws.example\r\n").doesNotContain("pushpin-route");
    }

    @Test
    void aWebSocketPassthroughIs500WhenPassthroughIsDisabled() throws Exception {
        try (EdgeServer other = new EdgeServer(EdgeConfig.of(TestApps.wasm("app"))
                                .withAddress(new InetSocketAddress("127.0.0.1", 0))
                                .withEngine("chicory")
                                .withWebsocketPassthrough(false)
                                .withLogSink((endpoint, message) -> {}))
                        .start();
                Socket client = new Socket("127.0.0.1", other.port())) {
            send(
                    client,
                    "GET /ws-passthrough HTTP/1.1\r\nHost: app.test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
            assertThat(readUntil(client, "disabled."))
                    .startsWith("HTTP/1.1 500 ")
                    .endsWith("WebSocket handoff signaled, but WebSocket passthrough is disabled.");
        }
    }

    @Test
    void aWebSocketPassthroughToATlsBackendUsesItsCaItsClientCertificateAndItsCertificateHost() throws Exception {
        try (FakeTarget tlsOrigin = FakeTarget.mutualTls()) {
            tlsOrigin.reply(
                    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\nhi", null);
            // Reached by IP; the certificate is checked against cert_host, and trusted through the backend's own CA.
            URI url = URI.create("https://127.0.0.1:" + tlsOrigin.port() + "/base");
            BackendConfig withItsTls =
                    tlsBackend(url, "localhost", pem("ca.pem"), pem("client.pem"), pem("client-key.pem"));
            try (EdgeServer tlsEdge = edgeWith(withItsTls);
                    Socket client = new Socket("127.0.0.1", tlsEdge.port())) {
                client.setSoTimeout(20_000);
                send(client, WS_PASSTHROUGH);
                assertThat(readUntil(client, "hi")).startsWith("HTTP/1.1 101 ");
                send(client, "ping");
                readUntil(client, "echo:ping");
            }
            assertThat(tlsOrigin.received.poll(10, TimeUnit.SECONDS)).startsWith("GET /base/ws-passthrough HTTP/1.1");
            assertThat(tlsOrigin.clients.poll(10, TimeUnit.SECONDS)).isEqualTo("CN=outpost-test-client");

            // Without the backend's CA the certificate is not trusted, and the client hears why.
            BackendConfig noCa = tlsBackend(url, "localhost", null, pem("client.pem"), pem("client-key.pem"));
            try (EdgeServer tlsEdge = edgeWith(noCa);
                    Socket client = new Socket("127.0.0.1", tlsEdge.port())) {
                client.setSoTimeout(20_000);
                send(client, WS_PASSTHROUGH.replace("\r\n\r\n", "\r\nConnection: close\r\n\r\n"));
                assertThat(readAll(client))
                        .startsWith("HTTP/1.1 500 ")
                        .contains("Error: Could not connect to handoff target: backend wsorigin")
                        .contains("TLS handshake failed");
            }
        }
    }

    private static final String WS_PASSTHROUGH =
            "GET /ws-passthrough HTTP/1.1\r\nHost: app.test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";

    private static String pem(String name) {
        return NettyOrigin.pem(name);
    }

    private static BackendConfig tlsBackend(URI url, String certHost, String ca, String cert, String key) {
        var o = BackendOptions.DEFAULT;
        var options = new BackendOptions(
                cert,
                key.getBytes(StandardCharsets.US_ASCII),
                o.minTlsVersion(),
                o.maxTlsVersion(),
                null,
                null,
                true,
                o.httpKeepalive(),
                0,
                0,
                o.maxLifetime(),
                null,
                false,
                false);
        return new BackendConfig(
                "wsorigin",
                url,
                null,
                certHost,
                true,
                BackendConfig.DEFAULT_CONNECT_TIMEOUT,
                BackendConfig.DEFAULT_FIRST_BYTE_TIMEOUT,
                BackendConfig.DEFAULT_BETWEEN_BYTES_TIMEOUT,
                "unknown",
                false,
                ca,
                options);
    }

    /** A server whose program hands every request to backend wsorigin as a WebSocket (the legacy redirect). */
    private EdgeServer edgeWith(BackendConfig backend) throws IOException {
        LocalServerConfig local = new LocalServerConfig(
                Map.of(backend.name(), backend), Map.of(), Map.of(), Map.of(), Map.of(), true, Map.of(), Map.of());
        Path wasm = Files.createTempFile("outpost-handoff", ".wasm");
        wasm.toFile().deleteOnExit();
        Files.write(wasm, Wat.program("""
                (data (i32.const 0x400) "wsorigin")
                (func (export "_start")
                  (call $ok (call $fastly_http_req.redirect_to_websocket_proxy (i32.const 0x400) (i32.const 8))
                    (i32.const 1)))
                """));
        return new EdgeServer(EdgeConfig.of(wasm)
                        .withAddress(new InetSocketAddress("127.0.0.1", 0))
                        .withEngine("chicory")
                        .withLocalServer(local)
                        .withHandoffPort(proxy.port())
                        .withLogSink((endpoint, message) -> {}))
                .start();
    }

    @Test
    void anUnreachableProxyIs500() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        try (EdgeServer other = new EdgeServer(EdgeConfig.of(TestApps.wasm("app"))
                                .withAddress(new InetSocketAddress("127.0.0.1", 0))
                                .withEngine("chicory")
                                .withHandoffPort(closed)
                                .withLogSink((endpoint, message) -> {}))
                        .start();
                Socket client = new Socket("127.0.0.1", other.port())) {
            send(client, "GET /fanout HTTP/1.1\r\nHost: app.test\r\nConnection: close\r\n\r\n");
            String response = readAll(client);
            assertThat(response).startsWith("HTTP/1.1 500 ").contains("Error: Could not connect to handoff target: ");
        }
    }

    private Socket connect() throws IOException {
        Socket s = new Socket("127.0.0.1", edge.port());
        s.setSoTimeout(20_000);
        return s;
    }

    /** Reads until the edge closes (true) or 20 s pass (false); a reset counts as a close. */
    private static boolean closedByPeer(Socket s) throws IOException {
        try {
            s.getInputStream().readAllBytes();
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            return true;
        }
    }

    private static void send(Socket s, String text) throws IOException {
        s.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
        s.getOutputStream().flush();
    }

    private static String readAll(Socket s) throws IOException {
        return new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
    }

    private static String readUntil(Socket s, String end) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        InputStream in = s.getInputStream();
        while (!out.toString(StandardCharsets.ISO_8859_1).endsWith(end)) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed before '" + end + "': " + out.toString(StandardCharsets.ISO_8859_1));
            }
            out.write(b);
        }
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    /**
     * Accepts connections one at a time; records each request (head and the body its Content-Length announces), writes
     * the scripted reply, then echoes anything further as {@code echo:<bytes>} (after a 101) or writes the rest.
     */
    private static final class FakeTarget implements AutoCloseable {
        final BlockingQueue<String> received = new LinkedBlockingQueue<>();
        /** The subject of each TLS client's certificate. */
        final BlockingQueue<String> clients = new LinkedBlockingQueue<>();

        private final ServerSocket server;
        private volatile String head;
        private volatile String rest;

        FakeTarget() throws IOException {
            this(new ServerSocket(0, 10, InetAddress.getLoopbackAddress()));
        }

        private FakeTarget(ServerSocket server) {
            this.server = server;
            Thread.ofVirtual().start(this::loop);
        }

        /** TLS with the test server certificate (localhost, 127.0.0.1), requiring a client certificate of the test CA. */
        static FakeTarget mutualTls() throws IOException {
            try (InputStream cert = resource("server.pem");
                    InputStream key = resource("server-key.pem");
                    InputStream ca = resource("ca.pem")) {
                var context = (JdkSslContext) SslContextBuilder.forServer(cert, key)
                        .trustManager(ca)
                        .sslProvider(SslProvider.JDK)
                        .build();
                var server = (SSLServerSocket) context.context()
                        .getServerSocketFactory()
                        .createServerSocket(0, 10, InetAddress.getLoopbackAddress());
                server.setNeedClientAuth(true);
                return new FakeTarget(server);
            }
        }

        private static InputStream resource(String name) {
            return HandoffTest.class.getResourceAsStream("/certs/mtls/" + name);
        }

        int port() {
            return server.getLocalPort();
        }

        void reply(String head, String rest) {
            this.head = head;
            this.rest = rest;
        }

        private void loop() {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    Thread.ofVirtual().start(() -> serve(s));
                } catch (IOException e) {
                    return;
                }
            }
        }

        private void serve(Socket s) {
            try (s) {
                InputStream in = s.getInputStream();
                ByteArrayOutputStream req = new ByteArrayOutputStream();
                while (!req.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                    int b = in.read();
                    if (b < 0) {
                        return;
                    }
                    req.write(b);
                }
                String text = req.toString(StandardCharsets.ISO_8859_1);
                var m = Pattern.compile("(?im)^content-length: *(\\d+)").matcher(text);
                if (m.find()) {
                    req.write(in.readNBytes(Integer.parseInt(m.group(1))));
                }
                received.add(req.toString(StandardCharsets.ISO_8859_1));
                if (s instanceof SSLSocket tls) {
                    clients.add(tls.getSession().getPeerPrincipal().getName());
                }
                OutputStream out = s.getOutputStream();
                out.write(head.getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                if (head.startsWith("HTTP/1.1 101")) {
                    byte[] buf = new byte[1024];
                    int n;
                    while ((n = in.read(buf)) > 0) {
                        out.write(("echo:" + new String(buf, 0, n, StandardCharsets.ISO_8859_1))
                                .getBytes(StandardCharsets.ISO_8859_1));
                        out.flush();
                    }
                } else if (rest != null) {
                    out.write(rest.getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                }
            } catch (IOException e) {
                // The client went away.
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
