package dev.outpost.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.proxy.server.ListenException;
import dev.outpost.proxy.support.LeakGuard;
import dev.outpost.proxy.support.ProxyHarness;
import dev.outpost.proxy.support.RawHttp;
import dev.outpost.testkit.TestOrigin;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** HTTP/1.1 details of the client side: HEAD, 100-continue, Connection: close, the NIO fallback. */
@ExtendWith(LeakGuard.class)
@Timeout(60)
class ProtocolEdgesTest {
    TestOrigin origin;
    OutpostProxy proxy;

    @BeforeEach
    void start() throws Exception {
        origin = new TestOrigin();
        origin.on("/r", ex -> TestOrigin.respond(ex, 200, "text/plain", "0123456789"));
        origin.on("/post", ex -> TestOrigin.respond(ex, 200, "text/plain", "got " + TestOrigin.body(ex).length));
        proxy = ProxyHarness.start("* 127.0.0.1:" + origin.port());
    }

    @AfterEach
    void stop() {
        proxy.close();
        origin.close();
    }

    @Test
    void headGetsTheHeadOnly() throws Exception {
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            RawHttp.Response r = c.send("HEAD /r HTTP/1.1\r\nHost: x\r\n\r\n").read(true);
            assertThat(r.status()).isEqualTo(200);
            // the connection is still in step: the next response starts right after the head
            assertThat(c.send(RawHttp.get("/r")).read().text()).isEqualTo("0123456789");
        }
    }

    @Test
    void expectContinueIsAnsweredByTheProxy() throws Exception {
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            c.send("POST /post HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
            assertThat(c.readLine()).isEqualTo("HTTP/1.1 100 Continue");
            assertThat(c.readLine()).isEmpty();
            c.send("hello");
            assertThat(c.read().text()).isEqualTo("got 5");
        }
        assertThat(origin.take().header("Expect")).isNull();
    }

    @Test
    void connectionCloseIsHonoured() throws Exception {
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            RawHttp.Response r = c.send(RawHttp.get("/r", "Connection: close")).read();
            assertThat(r.header("Connection")).isEqualTo("close");
            assertThat(c.closedByPeer()).isTrue();
        }
    }

    @Test
    void malformedRequestIs400() throws Exception {
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            RawHttp.Response r = c.send("GET /r HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n")
                    .read();
            assertThat(r.status()).isEqualTo(400);
        }
    }

    @Test
    void aTakenPortIsReportedAndNothingIsLeftRunning() {
        int taken = proxy.httpPort();
        Assertions.assertThatThrownBy(() -> ProxyHarness.start(null, b -> b.httpPort(taken)))
                .isInstanceOf(ListenException.class)
                .hasMessageContaining("cannot listen on 127.0.0.1:" + taken + " (client port): address already in use")
                // this very JVM holds it, and /proc tells (pid included)
                .hasMessageContaining(", held by ")
                .hasMessageContaining("(pid " + ProcessHandle.current().pid() + ")");
        int takenPublish = proxy.publishPort();
        Assertions.assertThatThrownBy(() -> ProxyHarness.start(null, b -> b.publishPort(takenPublish)))
                .isInstanceOf(ListenException.class)
                .hasMessageContaining("cannot listen on 127.0.0.1:" + takenPublish + " (publish port)");
    }

    @Test
    void severalProxiesRunSideBySide() throws Exception {
        try (OutpostProxy other = ProxyHarness.start(null);
                RawHttp a = new RawHttp(proxy.httpPort());
                RawHttp b = new RawHttp(other.httpPort())) {
            assertThat(other.httpPort()).isNotEqualTo(proxy.httpPort());
            assertThat(a.send(RawHttp.get("/r")).read().text()).isEqualTo("0123456789");
            assertThat(b.send(RawHttp.get("/")).read().text()).isEqualTo("Hello from the Pushpin test handler!\n");
        }
    }

    @Test
    void nioTransportWorksToo() throws Exception {
        System.setProperty("outpost.transport", "nio");
        try (OutpostProxy p = ProxyHarness.start("* 127.0.0.1:" + origin.port())) {
            try (RawHttp c = new RawHttp(p.httpPort())) {
                assertThat(c.send(RawHttp.get("/r")).read().text()).isEqualTo("0123456789");
                assertThat(c.send(RawHttp.get("/r")).read().text()).isEqualTo("0123456789");
            }
        } finally {
            System.clearProperty("outpost.transport");
        }
    }
}
