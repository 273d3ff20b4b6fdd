package dev.outpost.proxy.ws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.proxy.OutpostProxy;
import dev.outpost.proxy.route.RouteTable;
import dev.outpost.proxy.route.RoutesParser;
import dev.outpost.proxy.support.LeakGuard;
import dev.outpost.proxy.support.ProxyHarness;
import dev.outpost.proxy.support.Publisher;
import dev.outpost.proxy.support.RawHttp;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The client side of WebSockets: handshake checks, limits, bad frames, proto=ws routes, the test target. */
@ExtendWith(LeakGuard.class)
@Timeout(60)
class ClientSideTest {
    static final String HANDSHAKE =
            "GET /ws HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    OutpostProxy proxy;

    @BeforeEach
    void start() throws Exception {
        // no routes: everything goes to the built-in test target
        proxy = ProxyHarness.start(null);
    }

    @AfterEach
    void stop() {
        proxy.close();
    }

    @Test
    void testTargetEchoesAndDeliversChannelTest() throws Exception {
        try (WsClient c = WsClient.connect(proxy.httpPort(), "/ws")) {
            c.send("hi");
            assertThat(c.nextText()).isEqualTo("hi");
            Awaitility.await().until(() -> proxy.hub().subscriberCount("test") == 1);
            var r = Publisher.publish(
                    proxy.publishPort(),
                    "{\"items\":[{\"channel\":\"test\",\"formats\":{\"ws-message\":{\"content\":\"published\"}}}]}");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(c.nextText()).isEqualTo("published");
        }
        try (WsClient c = WsClient.connect(proxy.httpPort(), "/ws?channel=a&channel=b")) {
            Awaitility.await().until(() -> proxy.hub().subscriberCount("b") == 1);
            Publisher.publish(
                    proxy.publishPort(),
                    "{\"items\":[{\"channel\":\"b\",\"formats\":{\"ws-message\":{\"content\":\"on b\"}}}]}");
            assertThat(c.nextText()).isEqualTo("on b");
        }
        Throwable t = WsClient.connectFailure(proxy.httpPort(), "/nope");
        var res = ((WebSocketHandshakeException) t).getResponse();
        assertThat(res.statusCode()).isEqualTo(404);
        assertThat(String.valueOf(res.body())).isEqualTo("no such test resource\n");
    }

    @Test
    void closingTheProxySendsGoingAway() throws Exception {
        try (WsClient c = WsClient.connect(proxy.httpPort(), "/ws")) {
            c.send("up");
            assertThat(c.nextText()).isEqualTo("up");
            long t0 = System.nanoTime();
            proxy.close();
            WsClient.Event e = c.nextClose();
            assertThat(e.code()).isEqualTo(1001);
            // the client answered the close, so close() did not wait out its grace period
            assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.MILLISECONDS.toNanos(1900));
        }
    }

    @Test
    void frameTooBigCloses1009() throws Exception {
        try (WsClient c = WsClient.connect(proxy.httpPort(), "/ws")) {
            c.ws.sendText("x".repeat(WsSession.MAX_FRAME + 1), true).get(10, TimeUnit.SECONDS);
            WsClient.Event e = c.nextClose();
            assertThat(e.code()).isEqualTo(1009);
        }
    }

    @Test
    void messageTooBigCloses1009() throws Exception {
        try (WsClient c = WsClient.connect(proxy.httpPort(), "/ws")) {
            String half = "y".repeat(WsSession.MAX_MESSAGE / 2 + 10);
            c.ws.sendText(half, false).get(10, TimeUnit.SECONDS);
            c.ws.sendText(half, true).get(10, TimeUnit.SECONDS);
            WsClient.Event e = c.nextClose();
            assertThat(e.code()).isEqualTo(1009);
        }
    }

    @Test
    void fragmentedMessagesArriveWhole() throws Exception {
        try (WsClient c = WsClient.connect(proxy.httpPort(), "/ws")) {
            c.ws.sendText("frag", false).get(10, TimeUnit.SECONDS);
            c.ws.sendText("mented", true).get(10, TimeUnit.SECONDS);
            assertThat(c.nextText()).isEqualTo("fragmented");
        }
    }

    /** A frame as a client must send it: masked. */
    static byte[] frame(int opcode, byte[] payload, boolean mask) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x80 | opcode);
        out.write((mask ? 0x80 : 0) | payload.length);
        byte[] key = {1, 2, 3, 4};
        if (mask) {
            out.writeBytes(key);
        }
        for (int i = 0; i < payload.length; i++) {
            out.write(mask ? payload[i] ^ key[i % 4] : payload[i]);
        }
        return out.toByteArray();
    }

    /** Reads the 101, then returns the close code of the first close frame the proxy sends. */
    private static int closeCodeAfter(int port, byte[] bad) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(HANDSHAKE.getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = s.getInputStream();
            String head = readHead(in);
            assertThat(head).startsWith("HTTP/1.1 101");
            out.write(bad);
            DataInputStream d = new DataInputStream(in);
            while (true) {
                int b0 = d.readUnsignedByte();
                int len = d.readUnsignedByte() & 0x7f;
                if (len == 126) {
                    len = d.readUnsignedShort();
                }
                byte[] p = new byte[len];
                d.readFully(p);
                if ((b0 & 0x0f) == 8) {
                    return ((p[0] & 0xff) << 8) | (p[1] & 0xff);
                }
            }
        }
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        while (!sb.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                break;
            }
            sb.append((char) c);
        }
        return sb.toString();
    }

    @Test
    void badFramesAreProtocolErrors() throws Exception {
        int port = proxy.httpPort();
        // unmasked client frame
        assertThat(closeCodeAfter(port, frame(1, "hi".getBytes(), false))).isEqualTo(1002);
        // reserved opcode
        assertThat(closeCodeAfter(port, frame(3, new byte[0], true))).isEqualTo(1002);
        // text that is not UTF-8
        assertThat(closeCodeAfter(port, frame(1, new byte[] {(byte) 0xff, (byte) 0xfe}, true)))
                .isEqualTo(1007);
    }

    @Test
    void aRejectedUpgradeEndsTheConnection() throws Exception {
        try (RawHttp raw = new RawHttp(proxy.httpPort())) {
            raw.send(HANDSHAKE.replace("GET /ws ", "GET /nope "));
            RawHttp.Response r = raw.read();
            assertThat(r.status()).isEqualTo(404);
            assertThat(r.text()).isEqualTo("no such test resource\n");
            assertThat(r.header("Connection")).isEqualTo("close");
        }
    }

    @Test
    void badHandshakes() throws Exception {
        try (RawHttp raw = new RawHttp(proxy.httpPort())) {
            raw.send("GET /ws HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n\r\n");
            RawHttp.Response r = raw.read();
            assertThat(r.status()).isEqualTo(426);
            assertThat(r.header("Sec-WebSocket-Version")).isEqualTo("13");
        }
        try (RawHttp raw = new RawHttp(proxy.httpPort())) {
            raw.send("GET /ws HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Version: 13\r\n\r\n");
            assertThat(raw.read().status()).isEqualTo(400);
        }
    }

    @Test
    void protoWsRoutesOnlyTakeWebSockets() throws Exception {
        try (WsOrigin ws = new WsOrigin()) {
            proxy.updateRoutes(
                    RouteTable.of(RoutesParser.parse("*,proto=ws localhost:" + ws.port() + "\n* test\n", "t")));
            ws.echoPrefix = "ws origin: ";
            try (WsClient c = WsClient.connect(proxy.httpPort(), "/ws")) {
                c.send("x");
                assertThat(c.nextText()).isEqualTo("ws origin: x");
            }
            try (RawHttp raw = new RawHttp(proxy.httpPort())) {
                raw.send(RawHttp.get("/"));
                assertThat(raw.read().text()).isEqualTo("Hello from the Pushpin test handler!\n");
            }
        }
    }
}
