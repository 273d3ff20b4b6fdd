package dev.outpost.proxy.limits;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.proxy.OutpostProxy;
import dev.outpost.proxy.support.LeakGuard;
import dev.outpost.proxy.support.ProxyHarness;
import dev.outpost.proxy.support.RawHttp;
import dev.outpost.testkit.TestOrigin;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Requests the proxy must refuse rather than forward (issue 16, items 5 and 10). */
@ExtendWith(LeakGuard.class)
@Timeout(60)
class MalformedRequestsTest {
    TestOrigin origin;
    OutpostProxy proxy;

    @BeforeEach
    void start() throws Exception {
        origin = new TestOrigin();
        origin.on("/r", ex -> TestOrigin.respond(ex, 200, "text/plain", "ok"));
        proxy = ProxyHarness.start("* 127.0.0.1:" + origin.port());
    }

    @AfterEach
    void stop() {
        proxy.close();
        origin.close();
    }

    @Test
    void twoHostHeadersAre400AndReachNoOrigin() throws Exception {
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            RawHttp.Response r = c.send("GET /r HTTP/1.1\r\nHost: a.example\r\nHost: b.example\r\n\r\n")
                    .read();
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.text()).isEqualTo("Bad Request: 2 Host headers (expected: exactly one, RFC 9112 §3.2)\n");
            assertThat(c.closedByPeer()).isTrue();
        }
        // a WebSocket handshake too
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            RawHttp.Response r = c.send("GET /r HTTP/1.1\r\nHost: a\r\nHost: b\r\nUpgrade: websocket\r\n"
                            + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                            + "Sec-WebSocket-Version: 13\r\n\r\n")
                    .read();
            assertThat(r.status()).isEqualTo(400);
        }
        // the next request on a fresh connection is the first the origin sees
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            assertThat(c.send(RawHttp.get("/r")).read().status()).isEqualTo(200);
        }
        assertThat(origin.take().uri()).isEqualTo("/r");
    }

    @Test
    void otherMajorVersionsAre505() throws Exception {
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            RawHttp.Response r = c.send("GET /r HTTP/9.9\r\nHost: x\r\n\r\n").read();
            assertThat(r.statusLine()).isEqualTo("HTTP/1.1 505 HTTP Version Not Supported");
            assertThat(r.text()).contains("HTTP/9.9");
        }
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            // the HTTP/2 connection preface
            RawHttp.Response r = c.send("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(505);
        }
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            assertThat(c.send("PRI /r HTTP/1.1\r\nHost: x\r\n\r\n").read().status())
                    .isEqualTo(400);
        }
    }

    @Test
    void aLaterMinorVersionIsAnsweredAsHttp11() throws Exception {
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            RawHttp.Response r = c.send("GET /r HTTP/1.2\r\nHost: x\r\n\r\n").read();
            assertThat(r.statusLine()).startsWith("HTTP/1.1 200");
            assertThat(r.text()).isEqualTo("ok");
        }
    }

    @Test
    void aBadChunkSizeIs400() throws Exception {
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            RawHttp.Response r = c.send("POST /r HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                            + "zz\r\nhello\r\n0\r\n\r\n")
                    .read();
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.header("Connection")).isEqualTo("close");
            assertThat(c.closedByPeer()).isTrue();
        }
    }
}
