package dev.outpost.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import dev.outpost.grip.sig.GripSig;
import dev.outpost.proxy.route.RouteTable;
import dev.outpost.proxy.route.RoutesParser;
import dev.outpost.proxy.support.LeakGuard;
import dev.outpost.proxy.support.ProxyHarness;
import dev.outpost.proxy.support.RawHttp;
import dev.outpost.testkit.TestOrigin;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Plain reverse proxying: the origin answers without GRIP. */
@ExtendWith(LeakGuard.class)
@Timeout(60)
class PlainProxyTest {
    TestOrigin origin;
    OutpostProxy proxy;

    @BeforeEach
    void start() throws Exception {
        origin = new TestOrigin();
        proxy = ProxyHarness.start("* 127.0.0.1:" + origin.port() + "\n", b -> b.sigKey("secret".getBytes()));
    }

    @AfterEach
    void stop() {
        proxy.close();
        origin.close();
    }

    private static int deadPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void relaysStatusHeadersAndBody() throws Exception {
        origin.on("/hello", ex -> {
            ex.getResponseHeaders().add("X-Origin", "yes");
            TestOrigin.respond(ex, 201, "text/plain", "hi there\n");
        });
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            RawHttp.Response r = c.send(RawHttp.get("/hello?a=1")).read();
            assertThat(r.status()).isEqualTo(201);
            assertThat(r.header("X-Origin")).isEqualTo("yes");
            assertThat(r.header("Content-Length")).isEqualTo("9");
            assertThat(r.text()).isEqualTo("hi there\n");
        }
        assertThat(origin.take().uri()).isEqualTo("/hello?a=1");
    }

    @Test
    void requestHeadersAreRewrittenAsPushpinDoes() throws Exception {
        origin.on("/h", ex -> TestOrigin.respond(ex, 200, "text/plain", "ok"));
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            c.send(RawHttp.get(
                            "/h",
                            "Grip-Sig: forged",
                            "Grip-Last: x; last-id=1",
                            "Accept-Encoding: gzip",
                            "X-Forwarded-For: 10.0.0.1",
                            "X-Forwarded-For: 10.0.0.2",
                            "X-Forwarded-Proto: https",
                            "Connection: keep-alive, X-Hop",
                            "X-Hop: 1",
                            "X-Keep: 2"))
                    .read();
        }
        TestOrigin.Seen s = origin.take();
        assertThat(s.header("Grip-Last")).isNull();
        assertThat(s.header("Accept-Encoding")).isNull();
        // no set_x_forwarded_protocol in this configuration: Pushpin then passes the client's on
        assertThat(s.header("X-Forwarded-Proto")).isEqualTo("https");
        assertThat(s.header("X-Hop")).isNull();
        assertThat(s.header("X-Keep")).isEqualTo("2");
        assertThat(s.header("X-Forwarded-For")).isEqualTo("10.0.0.1, 10.0.0.2");
        assertThat(s.header("Host")).isEqualTo("localhost");
        assertThat(s.header("Grip-Feature")).contains("status");
        String sig = s.header("Grip-Sig");
        assertThat(sig).isNotEqualTo("forged");
        assertThat(GripSig.verify(sig, "secret".getBytes(), Instant.now())).isTrue();
    }

    @Test
    void hopByHopResponseHeadersAreRemoved() throws Exception {
        origin.on("/h", ex -> {
            ex.getResponseHeaders().add("Connection", "X-Secret");
            ex.getResponseHeaders().add("X-Secret", "1");
            ex.getResponseHeaders().add("Keep-Alive", "timeout=5");
            TestOrigin.respond(ex, 200, "text/plain", "ok");
        });
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            RawHttp.Response r = c.send(RawHttp.get("/h")).read();
            assertThat(r.has("X-Secret")).isFalse();
            assertThat(r.has("Keep-Alive")).isFalse();
        }
    }

    @Test
    void largeChunkedBodiesStreamBothWays() throws Exception {
        byte[] big = new byte[3 * 1024 * 1024 + 17];
        new Random(7).nextBytes(big);
        origin.on("/echo", ex -> {
            byte[] in = TestOrigin.body(ex);
            ex.sendResponseHeaders(200, 0); // chunked
            try (OutputStream out = ex.getResponseBody()) {
                out.write(in);
            }
        });
        // the origin echoes after reading; the test origin records the body it read first
        HttpClient client =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<byte[]> r = client.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.httpPort() + "/echo"))
                        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big)))
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(sha(r.body())).isEqualTo(sha(big));
        TestOrigin.Seen s = origin.take();
        assertThat(s.body()).hasSize(big.length);
    }

    @Test
    void responseBodyReachesTheClientBeforeTheOriginHasFinished() throws Exception {
        CountDownLatch clientGotFirst = new CountDownLatch(1);
        origin.on("/trickle", ex -> {
            ex.sendResponseHeaders(200, 0);
            try (OutputStream out = ex.getResponseBody()) {
                out.write("first|".getBytes(StandardCharsets.UTF_8));
                out.flush();
                try {
                    // the rest only comes once the client has seen the first part
                    if (!clientGotFirst.await(20, TimeUnit.SECONDS)) {
                        return;
                    }
                } catch (InterruptedException e) {
                    return;
                }
                out.write("second".getBytes(StandardCharsets.UTF_8));
            }
        });
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            RawHttp.Response head = c.send(RawHttp.get("/trickle")).readHead();
            assertThat(head.chunked()).isTrue();
            assertThat(c.readChunkText()).isEqualTo("first|");
            clientGotFirst.countDown();
            assertThat(c.readChunkText()).isEqualTo("second");
            assertThat(c.readChunk()).isNull();
        }
    }

    @Test
    void requestBodyReachesTheOriginBeforeTheClientHasFinished() throws Exception {
        CountDownLatch originGotFirst = new CountDownLatch(1);
        origin.onRaw("/upload", ex -> {
            InputStream in = ex.getRequestBody();
            // read exactly the first chunk: readNBytes would ask for 0 more bytes at the end and wait for chunk two
            byte[] first = new byte[6];
            int got = 0;
            while (got < first.length) {
                int r = in.read(first, got, first.length - got);
                if (r < 0) {
                    break;
                }
                got += r;
            }
            if (new String(first, StandardCharsets.UTF_8).equals("first|")) {
                originGotFirst.countDown();
            }
            byte[] rest = in.readAllBytes();
            TestOrigin.respond(
                    ex,
                    200,
                    "text/plain",
                    new String(first, StandardCharsets.UTF_8) + new String(rest, StandardCharsets.UTF_8));
        });
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            c.send("POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nfirst|\r\n");
            assertThat(originGotFirst.await(20, TimeUnit.SECONDS)).isTrue();
            c.send("6\r\nsecond\r\n0\r\n\r\n");
            assertThat(c.read().text()).isEqualTo("first|second");
        }
    }

    @Test
    void contentLengthBodiesKeepTheirLength() throws Exception {
        byte[] big = new byte[1_500_000];
        Arrays.fill(big, (byte) 'z');
        origin.on("/len", ex -> {
            byte[] in = TestOrigin.body(ex);
            ex.getResponseHeaders().set("X-Got", String.valueOf(in.length));
            ex.sendResponseHeaders(200, big.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(big);
            }
        });
        HttpClient client =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<byte[]> r = client.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.httpPort() + "/len"))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(big))
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.headers().firstValue("Content-Length")).hasValue(String.valueOf(big.length));
        assertThat(r.headers().firstValue("X-Got")).hasValue(String.valueOf(big.length));
        assertThat(r.body()).isEqualTo(big);
        assertThat(origin.take().header("Content-Length")).isEqualTo(String.valueOf(big.length));
    }

    @Test
    void originConnectionsAreReused() throws Exception {
        origin.on("/k", ex -> TestOrigin.respond(ex, 200, "text/plain", "k"));
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            assertThat(c.send(RawHttp.get("/k")).read().text()).isEqualTo("k");
            assertThat(c.send(RawHttp.get("/k")).read().text()).isEqualTo("k");
        }
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            assertThat(c.send(RawHttp.get("/k")).read().text()).isEqualTo("k");
        }
        int first = origin.take().remotePort();
        int second = origin.take().remotePort();
        assertThat(second).isEqualTo(first);
    }

    @Test
    void anOriginThatDropsIdleConnectionsIsReconnected() throws Exception {
        // answers one request per connection, keep-alive in name only
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread t = Thread.ofVirtual().start(() -> {
                while (!server.isClosed()) {
                    try (Socket s = server.accept()) {
                        BufferedReader r = new BufferedReader(
                                new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
                        String line;
                        while ((line = r.readLine()) != null && !line.isEmpty()) {
                            // headers
                        }
                        s.getOutputStream()
                                .write("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nonce"
                                        .getBytes(StandardCharsets.ISO_8859_1));
                        s.getOutputStream().flush();
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            proxy.updateRoutes(RouteTable.of(RoutesParser.parse("* 127.0.0.1:" + server.getLocalPort() + "\n", "t")));
            try (RawHttp c = new RawHttp(proxy.httpPort())) {
                for (int i = 0; i < 3; i++) {
                    assertThat(c.send(RawHttp.get("/once")).read().text()).isEqualTo("once");
                }
            }
            server.close();
            t.join(5000);
        }
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        origin.on("/slow", ex -> TestOrigin.respond(ex, 200, "text/plain", "slow"));
        origin.on("/fast", ex -> TestOrigin.respond(ex, 200, "text/plain", "fast"));
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            c.send(RawHttp.get("/slow") + RawHttp.get("/fast") + RawHttp.get("/slow"));
            assertThat(c.read().text()).isEqualTo("slow");
            assertThat(c.read().text()).isEqualTo("fast");
            assertThat(c.read().text()).isEqualTo("slow");
        }
    }

    @Test
    void http10ClientGetsACloseDelimitedBody() throws Exception {
        origin.on("/c", ex -> {
            ex.sendResponseHeaders(200, 0);
            try (OutputStream out = ex.getResponseBody()) {
                out.write("chunked at origin".getBytes(StandardCharsets.UTF_8));
            }
        });
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            RawHttp.Response r = c.send("GET /c HTTP/1.0\r\nHost: x\r\n\r\n").read();
            assertThat(r.chunked()).isFalse();
            assertThat(r.text()).isEqualTo("chunked at origin");
        }
    }

    @Test
    void unreachableOriginIs502() throws Exception {
        proxy.updateRoutes(RouteTable.of(RoutesParser.parse("* 127.0.0.1:" + deadPort() + "\n", "t")));
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            RawHttp.Response r = c.send(RawHttp.get("/x")).read();
            assertThat(r.status()).isEqualTo(502);
            assertThat(r.header("Content-Type")).isEqualTo("text/plain");
            assertThat(r.text()).isEqualTo("Error while proxying to origin.\n");
        }
    }

    @Test
    void unreachableOriginInDebugNamesTheTargets() throws Exception {
        int dead = deadPort();
        try (OutpostProxy p = ProxyHarness.start("* 127.0.0.1:" + dead + "\n", b -> b.debug(true));
                RawHttp c = new RawHttp(p.httpPort())) {
            RawHttp.Response r = c.send(RawHttp.get("/x")).read();
            assertThat(r.status()).isEqualTo(502);
            assertThat(r.text()).isEqualTo("Unable to connect to any targets. Tried: 127.0.0.1:" + dead + "\n");
        }
    }

    @Test
    void failsOverToTheNextTarget() throws Exception {
        origin.on("/f", ex -> TestOrigin.respond(ex, 200, "text/plain", "second"));
        proxy.updateRoutes(RouteTable.of(
                RoutesParser.parse("* 127.0.0.1:" + deadPort() + " 127.0.0.1:" + origin.port() + "\n", "t")));
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            assertThat(c.send(RawHttp.get("/f")).read().text()).isEqualTo("second");
        }
    }

    @Test
    void targetNamesAreResolved() throws Exception {
        origin.on("/named", ex -> TestOrigin.respond(ex, 200, "text/plain", "named"));
        proxy.updateRoutes(RouteTable.of(RoutesParser.parse("* localhost:" + origin.port() + "\n", "t")));
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            assertThat(c.send(RawHttp.get("/named")).read().text()).isEqualTo("named");
        }
    }

    @Test
    void unresolvableTargetIs502() throws Exception {
        proxy.updateRoutes(RouteTable.of(RoutesParser.parse("* no-such-host.invalid:80\n", "t")));
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            assertThat(c.send(RawHttp.get("/x")).read().status()).isEqualTo(502);
        }
    }

    @Test
    void ipv6TargetIsReached() throws Exception {
        TestOrigin v6;
        try {
            v6 = new TestOrigin("::1");
        } catch (IOException e) {
            Assumptions.abort("no IPv6 loopback: " + e);
            return;
        }
        try (v6) {
            v6.on("/six", ex -> TestOrigin.respond(ex, 200, "text/plain", "six"));
            proxy.updateRoutes(RouteTable.of(RoutesParser.parse("* [::1]:" + v6.port() + "\n", "t")));
            try (RawHttp c = new RawHttp(proxy.httpPort())) {
                assertThat(c.send(RawHttp.get("/six")).read().text()).isEqualTo("six");
            }
        }
    }

    @Test
    void originBreakingBeforeTheHeadIs502() throws Exception {
        origin.on("/break", ex -> {
            throw new IOException("drop");
        });
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            RawHttp.Response r = c.send(RawHttp.get("/break")).read();
            assertThat(r.status()).isEqualTo(502);
            assertThat(r.text()).isEqualTo("Error while proxying to origin.\n");
        }
    }

    @Test
    void originBreakingMidBodyCutsTheClientOff() throws Exception {
        origin.on("/mid", ex -> {
            ex.sendResponseHeaders(200, 1000);
            OutputStream out = ex.getResponseBody();
            out.write(new byte[100]);
            out.flush();
            // closing the exchange before 1000 bytes drops the connection
            throw new IOException("drop");
        });
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            RawHttp.Response head = c.send(RawHttp.get("/mid")).readHead();
            assertThat(head.status()).isEqualTo(200);
            byte[] got = c.input().readAllBytes();
            assertThat(got.length).isLessThan(1000);
        }
    }

    private static String sha(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    static void ignore(HttpExchange ex) {}
}
