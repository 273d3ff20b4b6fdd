package dev.outpost.proxy.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpExchange;
import dev.outpost.grip.sig.GripSig;
import dev.outpost.grip.wsovh.WsEvent;
import dev.outpost.grip.wsovh.WsEventCodec;
import dev.outpost.proxy.OutpostProxy;
import dev.outpost.proxy.route.RouteTable;
import dev.outpost.proxy.route.RoutesParser;
import dev.outpost.proxy.support.LeakGuard;
import dev.outpost.proxy.support.ProxyHarness;
import dev.outpost.proxy.support.Publisher;
import dev.outpost.proxy.support.RawHttp;
import dev.outpost.testkit.TestOrigin;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Real WebSocket clients through the proxy to a WebSocket-over-HTTP origin. */
@ExtendWith(LeakGuard.class)
@Timeout(60)
class WebSocketOverHttpTest {
    static final byte[] KEY = "woh-secret".getBytes(StandardCharsets.UTF_8);
    TestOrigin origin;
    OutpostProxy proxy;
    /** Each request's events, in arrival order. */
    final List<List<WsEvent>> requests = new CopyOnWriteArrayList<>();

    final AtomicInteger concurrent = new AtomicInteger();
    final AtomicInteger maxConcurrent = new AtomicInteger();

    @BeforeEach
    void start() throws Exception {
        WohLeg.retryBaseMillis = 50;
        origin = new TestOrigin();
        origin.on("/woh", this::echo);
        proxy = ProxyHarness.start("* 127.0.0.1:" + origin.port() + ",over_http\n", b -> b.sigKey(KEY));
    }

    @AfterEach
    void stop() {
        proxy.close();
        origin.close();
        WohLeg.retryBaseMillis = 1000;
    }

    static void reply(HttpExchange ex, List<WsEvent> events, String... headers) throws IOException {
        byte[] b = WsEventCodec.encode(events);
        ex.getResponseHeaders().set("Content-Type", "application/websocket-events");
        for (int i = 0; i + 1 < headers.length; i += 2) {
            ex.getResponseHeaders().add(headers[i], headers[i + 1]);
        }
        ex.sendResponseHeaders(200, b.length == 0 ? -1 : b.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(b);
        }
    }

    private List<WsEvent> events(HttpExchange ex) {
        try {
            return WsEventCodec.decode(TestOrigin.body(ex));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** OPEN → OPEN with GRIP on; TEXT → "m:echo ..."; CLOSE → CLOSE; "sub X" subscribes; "close" closes. */
    private void echo(HttpExchange ex) throws IOException {
        int n = concurrent.incrementAndGet();
        maxConcurrent.accumulateAndGet(n, Math::max);
        try {
            List<WsEvent> in = events(ex);
            requests.add(in);
            List<WsEvent> out = new ArrayList<>();
            List<String> headers = new ArrayList<>();
            for (WsEvent e : in) {
                switch (e) {
                    case WsEvent.Open o -> {
                        out.add(new WsEvent.Open());
                        headers.addAll(List.of(
                                "Sec-WebSocket-Extensions", "grip", "X-From-Origin", "hi", "Set-Meta-User", "alice"));
                    }
                    case WsEvent.Text t -> {
                        String s = new String(t.content(), StandardCharsets.UTF_8);
                        if (s.startsWith("sub ")) {
                            out.add(new WsEvent.Text(
                                    "c:{\"type\":\"subscribe\",\"channel\":\"" + s.substring(4) + "\"}"));
                            out.add(new WsEvent.Text("m:subscribed"));
                        } else if (s.equals("close")) {
                            out.add(new WsEvent.Close(4002, "origin closes"));
                        } else if (s.equals("disconnect")) {
                            out.add(new WsEvent.Disconnect());
                        } else if (s.equals("slow")) {
                            sleepy();
                            out.add(new WsEvent.Text("m:slow done"));
                        } else {
                            out.add(new WsEvent.Text("m:echo " + s));
                        }
                    }
                    case WsEvent.Ping p -> out.add(new WsEvent.Pong(p.content()));
                    case WsEvent.Close c -> out.add(new WsEvent.Close(c.code(), c.reason()));
                    default -> {}
                }
            }
            reply(ex, out, headers.toArray(String[]::new));
        } finally {
            concurrent.decrementAndGet();
        }
    }

    private final CountDownLatch slowGate = new CountDownLatch(1);

    private void sleepy() {
        try {
            slowGate.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void openRequestAndMessagesCarryTheProtocolHeaders() throws Exception {
        try (WsClient c = WsClient.connect(
                proxy.httpPort(), "/woh?x=1", "X-Client", "c1", "Meta-User", "forged", "Connection-Id", "forged")) {
            TestOrigin.Seen open = origin.take();
            assertThat(open.method()).isEqualTo("POST");
            assertThat(open.uri()).isEqualTo("/woh?x=1");
            assertThat(open.header("Content-Type")).isEqualTo("application/websocket-events");
            assertThat(open.header("Accept")).isEqualTo("application/websocket-events");
            assertThat(open.header("Sec-WebSocket-Extensions")).isEqualTo("grip");
            assertThat(open.header("X-Client")).isEqualTo("c1");
            assertThat(open.header("Meta-User")).isNull();
            assertThat(open.header("Upgrade")).isNull();
            String cid = open.header("Connection-Id");
            assertThat(cid).isNotEqualTo("forged").isNotBlank();
            assertThat(GripSig.verify(open.header("Grip-Sig"), KEY, Instant.now()))
                    .isTrue();
            assertThat(open.bodyText()).isEqualTo("OPEN\r\n");

            c.send("hello");
            assertThat(c.nextText()).isEqualTo("echo hello");
            TestOrigin.Seen text = origin.take();
            assertThat(text.bodyText()).isEqualTo("TEXT 5\r\nhello\r\n");
            assertThat(text.header("Connection-Id")).isEqualTo(cid);
            // the origin connection is kept between requests
            assertThat(text.remotePort()).isEqualTo(open.remotePort());
            assertThat(text.header("X-Client")).isEqualTo("c1");
            assertThat(text.header("Meta-User")).isEqualTo("alice");
            assertThat(GripSig.verify(text.header("Grip-Sig"), KEY, Instant.now()))
                    .isTrue();

            c.ws.sendBinary(ByteBuffer.wrap(new byte[] {9, 8}), true).get(10, TimeUnit.SECONDS);
            assertThat(origin.take().body())
                    .isEqualTo(WsEventCodec.encode(List.of(new WsEvent.Binary(new byte[] {9, 8}))));
            c.ws.sendPing(ByteBuffer.wrap("pi".getBytes())).get(10, TimeUnit.SECONDS);
            assertThat(c.next())
                    .extracting(WsClient.Event::kind, WsClient.Event::text)
                    .containsExactly("pong", "pi");
        }
    }

    @Test
    void openResponseHeadersReachThe101() throws Exception {
        // the JDK client exposes no 101 headers: read them on the wire
        try (RawHttp raw = new RawHttp(proxy.httpPort())) {
            raw.send("GET /woh HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
            RawHttp.Response r = raw.readHead();
            assertThat(r.status()).isEqualTo(101);
            assertThat(r.header("Sec-WebSocket-Accept")).isEqualTo("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
            assertThat(r.header("X-From-Origin")).isEqualTo("hi");
            assertThat(r.header("Sec-WebSocket-Extensions")).isNull();
            assertThat(r.header("Set-Meta-User")).isNull();
            assertThat(r.header("Content-Type")).isNull();
        }
    }

    @Test
    void oneRequestAtATimeAndOrderHolds() throws Exception {
        try (WsClient c = WsClient.connect(proxy.httpPort(), "/woh")) {
            origin.take();
            c.send("slow");
            origin.take();
            for (int i = 0; i < 30; i++) {
                c.ws.sendText("m" + i, true);
            }
            // the 30 messages wait behind the slow request, then go in few batches
            slowGate.countDown();
            assertThat(c.nextText()).isEqualTo("slow done");
            for (int i = 0; i < 30; i++) {
                assertThat(c.nextText()).isEqualTo("echo m" + i);
            }
            assertThat(maxConcurrent.get()).isEqualTo(1);
            assertThat(requests.size()).isLessThan(2 + 30);
        }
    }

    @Test
    void oneEventTargetsSendOneEventPerRequest() throws Exception {
        proxy.updateRoutes(
                RouteTable.of(RoutesParser.parse("* 127.0.0.1:" + origin.port() + ",over_http,one_event\n", "t")));
        try (WsClient c = WsClient.connect(proxy.httpPort(), "/woh")) {
            c.send("slow");
            await().atMost(Duration.ofSeconds(10)).until(() -> concurrent.get() == 1);
            c.ws.sendText("a", true);
            c.ws.sendText("b", true);
            c.ws.sendText("c", true);
            slowGate.countDown();
            assertThat(c.nextText()).isEqualTo("slow done");
            assertThat(c.nextText()).isEqualTo("echo a");
            assertThat(c.nextText()).isEqualTo("echo b");
            assertThat(c.nextText()).isEqualTo("echo c");
            assertThat(requests).allMatch(l -> l.size() == 1);
        }
    }

    @Test
    void rejectedHandshakeIsRelayedWithStatusAndBody() throws Exception {
        origin.on("/woh", ex -> {
            ex.getResponseHeaders().set("X-Reason", "auth");
            TestOrigin.respond(ex, 401, "text/plain", "who are you?\n");
        });
        Throwable t = WsClient.connectFailure(proxy.httpPort(), "/woh");
        var res = ((WebSocketHandshakeException) t).getResponse();
        assertThat(res.statusCode()).isEqualTo(401);
        assertThat(res.headers().firstValue("X-Reason")).contains("auth");
        assertThat(String.valueOf(res.body())).isEqualTo("who are you?\n");
    }

    @Test
    void badOpenAnswersAre502() throws Exception {
        origin.on("/woh", ex -> reply(ex, List.of(new WsEvent.Text("m:no open"))));
        Throwable t = WsClient.connectFailure(proxy.httpPort(), "/woh");
        assertThat(((WebSocketHandshakeException) t).getResponse().statusCode()).isEqualTo(502);
        origin.on("/woh", ex -> TestOrigin.respond(ex, 200, "application/websocket-events", "GARBAGE x\r\n"));
        t = WsClient.connectFailure(proxy.httpPort(), "/woh");
        assertThat(((WebSocketHandshakeException) t).getResponse().statusCode()).isEqualTo(502);
        // uppercase hex lengths are read too
        origin.on(
                "/woh",
                ex -> TestOrigin.respond(
                        ex,
                        200,
                        "application/websocket-events",
                        "OPEN\r\nTEXT 0C\r\nhello, world\r\nTEXT 1\r\n2\r\nPING\r\n"));
        try (WsClient c = WsClient.connect(proxy.httpPort(), "/woh")) {
            // messages in the answer to OPEN follow the 101 at once, in order
            assertThat(c.nextText()).isEqualTo("hello, world");
            assertThat(c.nextText()).isEqualTo("2");
            assertThat(c.next().kind()).isEqualTo("ping");
        }
    }

    @Test
    void closeBothWays() throws Exception {
        try (WsClient c = WsClient.connect(proxy.httpPort(), "/woh")) {
            origin.take();
            c.ws.sendClose(4100, "client bye").get(10, TimeUnit.SECONDS);
            assertThat(origin.take().bodyText())
                    .isEqualTo(new String(
                            WsEventCodec.encode(List.of(new WsEvent.Close(4100, "client bye"))),
                            StandardCharsets.UTF_8));
            WsClient.Event e = c.nextClose();
            assertThat(e.code()).isEqualTo(4100);
        }
        requests.clear();
        try (WsClient c = WsClient.connect(proxy.httpPort(), "/woh")) {
            c.send("close");
            WsClient.Event e = c.nextClose();
            assertThat(e.code()).isEqualTo(4002);
            assertThat(e.text()).isEqualTo("origin closes");
            // the client's close reply reaches the origin as a CLOSE event
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> requests.stream().anyMatch(l -> l.size() == 1 && l.get(0) instanceof WsEvent.Close));
        }
    }

    @Test
    void disconnectBothWays() throws Exception {
        try (WsClient c = WsClient.connect(proxy.httpPort(), "/woh")) {
            c.send("disconnect");
            assertThat(c.nextClose().kind()).isIn("close", "error");
        }
        requests.clear();
        try (RawHttp raw = new RawHttp(proxy.httpPort())) {
            raw.send("GET /woh HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
            assertThat(raw.readHead().status()).isEqualTo(101);
        }
        await().atMost(Duration.ofSeconds(10))
                .until(() -> requests.stream().anyMatch(l -> l.contains(new WsEvent.Disconnect())));
    }

    @Test
    void publishedMessagesCloseAndRefresh() throws Exception {
        try (WsClient c = WsClient.connect(proxy.httpPort(), "/woh")) {
            c.send("sub room");
            assertThat(c.nextText()).isEqualTo("subscribed");
            var r = Publisher.publish(
                    proxy.publishPort(),
                    "{\"items\":[{\"channel\":\"room\",\"formats\":{\"ws-message\":{\"content\":\"pub\"}}}]}");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(c.nextText()).isEqualTo("pub");

            int before = requests.size();
            Publisher.publish(
                    proxy.publishPort(),
                    "{\"items\":[{\"channel\":\"room\",\"formats\":{\"ws-message\":{\"action\":\"refresh\"}}}]}");
            await().atMost(Duration.ofSeconds(10)).until(() -> requests.size() > before);
            assertThat(requests.get(before)).isEmpty();

            Publisher.publish(
                    proxy.publishPort(),
                    "{\"items\":[{\"channel\":\"room\",\"formats\":{\"ws-message\":"
                            + "{\"action\":\"close\",\"code\":4444,\"reason\":\"kicked\"}}}]}");
            WsClient.Event e = c.nextClose();
            assertThat(e.code()).isEqualTo(4444);
            assertThat(e.text()).isEqualTo("kicked");
        }
    }

    @Test
    void connectErrorsAreRetriedOnceOpen() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        try (WsClient c = WsClient.connect(proxy.httpPort(), "/woh")) {
            // the next two requests get no answer at all; the third one is served
            origin.on("/woh", ex -> {
                if (calls.incrementAndGet() <= 2) {
                    ex.close();
                    return;
                }
                echo(ex);
            });
            c.send("again");
            assertThat(c.nextText()).isEqualTo("echo again");
            assertThat(calls.get()).isEqualTo(3);
        }
    }

    @Test
    void gaveUpAfterFiveRetries() throws Exception {
        try (WsClient c = WsClient.connect(proxy.httpPort(), "/woh")) {
            AtomicInteger calls = new AtomicInteger();
            origin.on("/woh", ex -> {
                calls.incrementAndGet();
                ex.close();
            });
            c.send("lost");
            WsClient.Event e = c.nextClose();
            assertThat(e.code()).isEqualTo(1011);
            // the first try went over the connection kept from OPEN, then a fresh one, then the retries
            assertThat(calls.get()).isEqualTo(2 + WohLeg.RETRY_MAX);
        }
    }

    @Test
    void failoverAcrossTargets() throws Exception {
        int dead;
        try (var s = new ServerSocket(0)) {
            dead = s.getLocalPort();
        }
        proxy.updateRoutes(RouteTable.of(RoutesParser.parse(
                "* 127.0.0.1:" + dead + ",over_http 127.0.0.1:" + origin.port() + ",over_http\n", "t")));
        try (WsClient c = WsClient.connect(proxy.httpPort(), "/woh")) {
            c.send("x");
            assertThat(c.nextText()).isEqualTo("echo x");
        }
    }

    @Test
    void clientSendingEventsItselfIsRefused() throws Exception {
        try (RawHttp raw = new RawHttp(proxy.httpPort())) {
            raw.send("POST /woh HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/websocket-events\r\n"
                    + "Content-Length: 6\r\n\r\nOPEN\r\n");
            RawHttp.Response r = raw.read();
            assertThat(r.status()).isEqualTo(403);
            assertThat(r.text()).isEqualTo("Client not allowed to send WebSocket events directly.\n");
            // the connection stays usable, as in Pushpin
            raw.send("POST /woh HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/websocket-events\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n6\r\nOPEN\r\n\r\n0\r\n\r\n");
            assertThat(raw.read().status()).isEqualTo(403);
        }
        try (RawHttp raw = new RawHttp(proxy.httpPort())) {
            raw.send("POST /woh HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/websocket-events; x=1\r\n"
                    + "Connection: close\r\nContent-Length: 6\r\n\r\nOPEN\r\n");
            RawHttp.Response r = raw.read();
            assertThat(r.status()).isEqualTo(403);
            assertThat(r.header("Connection")).isEqualTo("close");
        }
        assertThat(requests).isEmpty();
    }

    @Test
    void keepAliveIntervalIsAtLeastTwentySeconds() {
        assertThat(WsHeaders.keepAliveInterval("5")).isEqualTo(20);
        assertThat(WsHeaders.keepAliveInterval("45")).isEqualTo(45);
        assertThat(WsHeaders.keepAliveInterval("0")).isEqualTo(-1);
        assertThat(WsHeaders.keepAliveInterval("x")).isEqualTo(-1);
    }

    @Test
    void keepAliveRequestsAfterTheInterval() throws Exception {
        origin.on("/woh", ex -> {
            List<WsEvent> in = events(ex);
            requests.add(in);
            reply(
                    ex,
                    in.contains(new WsEvent.Open()) ? List.of(new WsEvent.Open()) : List.of(),
                    "Keep-Alive-Interval",
                    "1");
        });
        try (WsClient c = WsClient.connect(proxy.httpPort(), "/woh")) {
            long t0 = System.nanoTime();
            await().atMost(Duration.ofSeconds(30)).until(() -> requests.size() >= 2);
            assertThat(requests.get(1)).isEmpty();
            assertThat(System.nanoTime() - t0).isGreaterThan(TimeUnit.SECONDS.toNanos(19));
        }
    }
}
