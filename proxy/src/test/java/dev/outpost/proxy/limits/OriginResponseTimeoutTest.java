package dev.outpost.proxy.limits;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.proxy.OutpostProxy;
import dev.outpost.proxy.support.LeakGuard;
import dev.outpost.proxy.support.ProxyHarness;
import dev.outpost.proxy.support.RawHttp;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** An origin that never answers, or stops halfway, does not hold the client forever (issue 16, item 4). */
@ExtendWith(LeakGuard.class)
@Timeout(60)
class OriginResponseTimeoutTest {
    StuckOrigin origin;
    OutpostProxy proxy;

    @BeforeEach
    void start() throws Exception {
        origin = new StuckOrigin();
        proxy = ProxyHarness.start(
                "* 127.0.0.1:" + origin.port() + "\n", b -> b.setting("outpost/origin_response_timeout", "1"));
    }

    @AfterEach
    void stop() throws IOException {
        proxy.close();
        origin.close();
    }

    @Test
    void anOriginThatNeverAnswersGives504() throws Exception {
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            RawHttp.Response r = c.send(RawHttp.get("/silent")).read();
            assertThat(r.status()).isEqualTo(504);
            assertThat(r.text()).isEqualTo("The origin did not respond within 1 s.\n");
            // the connection stays usable, and the request was not sent again
            assertThat(c.send(RawHttp.get("/silent")).read().status()).isEqualTo(504);
        }
        assertThat(origin.requests).hasSize(2);
        assertThat(proxy.drops().hits("origin_response_timeout")).isEqualTo(2);
    }

    @Test
    void withDebugTheBodyNamesTheOriginAndTheSetting() throws Exception {
        try (OutpostProxy p = ProxyHarness.start(
                        "* 127.0.0.1:" + origin.port() + "\n",
                        b -> b.debug(true).setting("outpost/origin_response_timeout", "1"));
                RawHttp c = new RawHttp(p.httpPort())) {
            RawHttp.Response r = c.send(RawHttp.get("/silent")).read();
            assertThat(r.status()).isEqualTo(504);
            assertThat(r.text())
                    .isEqualTo("The origin 127.0.0.1:" + origin.port()
                            + " did not respond within 1 s (origin_response_timeout).\n");
        }
    }

    @Test
    void anOriginThatStopsMidBodyIsCutOff() throws Exception {
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            c.send(RawHttp.get("/half"));
            RawHttp.Response head = c.readHead();
            assertThat(head.status()).isEqualTo(200);
            assertThat(c.input().readNBytes(5)).isEqualTo("hello".getBytes(StandardCharsets.US_ASCII));
            // the promised 100 bytes never come: the client is cut off, not left waiting
            assertThat(c.closedByPeer()).isTrue();
        }
        assertThat(proxy.drops().hits("origin_response_timeout")).isEqualTo(1);
    }

    /** Accepts, reads requests and never answers ({@code /silent}) or answers half ({@code /half}). */
    static final class StuckOrigin implements AutoCloseable {
        final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        final List<String> requests = new CopyOnWriteArrayList<>();
        final List<Socket> open = new CopyOnWriteArrayList<>();
        final AtomicInteger accepted = new AtomicInteger();

        StuckOrigin() throws IOException {
            Thread t = new Thread(this::acceptLoop, "stuck-origin");
            t.setDaemon(true);
            t.start();
        }

        int port() {
            return server.getLocalPort();
        }

        private void acceptLoop() {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    open.add(s);
                    accepted.incrementAndGet();
                    Thread t = new Thread(() -> serve(s), "stuck-origin-conn");
                    t.setDaemon(true);
                    t.start();
                } catch (IOException e) {
                    return;
                }
            }
        }

        private void serve(Socket s) {
            try {
                InputStream in = s.getInputStream();
                StringBuilder head = new StringBuilder();
                int c;
                while ((c = in.read()) != -1) {
                    head.append((char) c);
                    if (head.toString().endsWith("\r\n\r\n")) {
                        String line = head.substring(0, head.indexOf("\r\n"));
                        requests.add(line);
                        head.setLength(0);
                        if (line.contains("/half")) {
                            s.getOutputStream()
                                    .write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nhello"
                                            .getBytes(StandardCharsets.US_ASCII));
                            s.getOutputStream().flush();
                        }
                    }
                }
            } catch (IOException e) {
                // closed by the proxy
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (Socket s : open) {
                s.close();
            }
        }
    }
}
