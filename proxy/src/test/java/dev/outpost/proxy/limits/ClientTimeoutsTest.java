package dev.outpost.proxy.limits;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.proxy.OutpostProxy;
import dev.outpost.proxy.support.LeakGuard;
import dev.outpost.proxy.support.ProxyHarness;
import dev.outpost.proxy.support.Publisher;
import dev.outpost.proxy.support.RawHttp;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Slow or silent clients are closed on the client and publish ports (issue 16, item 3): an idle socket, a head
 * trickled a byte at a time, a body that stops, a kept-alive connection that sends nothing more. A held stream is
 * not a slow client and stays open.
 */
@ExtendWith(LeakGuard.class)
@Timeout(60)
class ClientTimeoutsTest {
    OutpostProxy proxy;

    @BeforeEach
    void start() throws Exception {
        proxy = ProxyHarness.start(
                null,
                b -> b.setting("outpost/client_header_timeout", "1")
                        .setting("outpost/client_keepalive_timeout", "1")
                        .setting("outpost/client_body_timeout", "1")
                        .setting("outpost/inspector_port", "0"));
    }

    @AfterEach
    void stop() {
        proxy.close();
    }

    @Test
    void anIdleSocketIsClosed() throws Exception {
        for (int port : new int[] {
            proxy.httpPort(), proxy.publishPort(), proxy.inspectorAddress().getPort()
        }) {
            try (RawHttp c = new RawHttp(port)) {
                assertThat(c.closedByPeer()).as("port %d", port).isTrue();
            }
        }
        assertThat(proxy.drops().hits("client_header_timeout")).isEqualTo(3);
        try (RawHttp c = new RawHttp(proxy.inspectorAddress().getPort())) {
            assertThat(c.send(RawHttp.get("/metrics")).read().text())
                    .contains("outpost_limit_hits_total{limit=\"client_header_timeout\"} 3.0");
        }
    }

    @Test
    void aHeadTrickledAByteAtATimeIsClosed() throws Exception {
        byte[] head = ("GET /stream HTTP/1.1\r\nHost: localhost\r\nX-Slow: " + "a".repeat(200) + "\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1);
        try (Socket s = new Socket("127.0.0.1", proxy.httpPort())) {
            assertThat(trickle(s, head)).as("bytes accepted before the close").isLessThan(head.length);
        }
    }

    @Test
    void aBodyThatStopsHalfwayIsClosed() throws Exception {
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            c.send("POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\n" + "x".repeat(50));
            // the test target answers at once; the rest of the body never comes
            assertThat(c.read().status()).isEqualTo(200);
            assertThat(c.closedByPeer()).isTrue();
        }
        assertThat(proxy.drops().hits("client_body_timeout")).isEqualTo(1);
        try (RawHttp c = new RawHttp(proxy.publishPort())) {
            c.send("POST /publish/ HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\n{\"items\":");
            assertThat(c.closedByPeer()).isTrue();
        }
        assertThat(proxy.drops().hits("client_body_timeout")).isEqualTo(2);
    }

    @Test
    void aKeptAliveConnectionThatSendsNothingMoreIsClosed() throws Exception {
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            assertThat(c.send(RawHttp.get("/")).read().status()).isEqualTo(200);
            assertThat(c.closedByPeer()).isTrue();
        }
        assertThat(proxy.drops().hits("client_keepalive_timeout")).isEqualTo(1);
    }

    @Test
    void aHeldStreamIsNotAnIdleClient() throws Exception {
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            c.send(RawHttp.get("/stream"));
            assertThat(c.readHead().status()).isEqualTo(200);
            assertThat(c.readChunkText()).isEqualTo("[stream opened]\n");
            ProxyHarness.awaitSubscribers(proxy, "test", 1);
            // three times the timeouts: a stream waits as long as it is held
            Thread.sleep(3000);
            Publisher.publishText(proxy.publishPort(), "test", "still here\n");
            assertThat(c.readChunkText()).isEqualTo("still here\n");
        }
        assertThat(proxy.drops().hits("client_header_timeout")
                        + proxy.drops().hits("client_keepalive_timeout")
                        + proxy.drops().hits("client_body_timeout"))
                .isZero();
    }

    @Test
    void timeoutsCanBeTurnedOff() throws Exception {
        try (OutpostProxy p = ProxyHarness.start(null, b -> b.setting("outpost/client_header_timeout", "0"))) {
            try (RawHttp c = new RawHttp(p.httpPort())) {
                c.send("GET / HTTP/1.1\r\n");
                Thread.sleep(1500);
                assertThat(c.send("Host: x\r\n\r\n").read().status()).isEqualTo(200);
            }
        }
    }

    /** Sends {@code bytes} one at a time, 100 ms apart, until the peer closes; returns how many it took. */
    private static int trickle(Socket s, byte[] bytes) throws IOException, InterruptedException {
        OutputStream out = s.getOutputStream();
        s.setSoTimeout(100);
        for (int i = 0; i < bytes.length; i++) {
            try {
                out.write(bytes[i]);
                out.flush();
                if (s.getInputStream().read() == -1) {
                    return i;
                }
            } catch (SocketTimeoutException e) {
                // nothing from the server yet: go on
            } catch (SocketException e) {
                return i;
            }
        }
        return bytes.length;
    }
}
