package dev.outpost.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.outpost.proxy.OutpostProxy;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The Fanout loop with the in-process GRIP proxy (what {@code outpost serve} runs by default). */
@Timeout(120)
class InProcessFanoutServeTest extends FanoutServeContract {
    @BeforeAll
    static void start() throws Exception {
        startServe(null);
    }

    /** The README's WebSocket client, as it is run there (Node.js 20 needs the flag; newer ones accept it). */
    @Test
    void theReadmeWebSocketClientSendsAndReceives() throws Exception {
        Process node = new ProcessBuilder(
                        "node",
                        "--experimental-websocket",
                        EXAMPLE.resolve("client/ws.mjs").toString(),
                        "ws://127.0.0.1:" + session.edgePort() + "/test/websocket")
                .redirectErrorStream(true)
                .start();
        try (BufferedReader out =
                        new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8));
                OutputStream in = node.getOutputStream()) {
            assertThat(out.readLine()).startsWith("connected to ws://127.0.0.1:" + session.edgePort());
            in.write("from node\n".getBytes(StandardCharsets.UTF_8));
            in.flush();
            String line;
            do {
                line = out.readLine();
            } while (line != null && !line.equals("< from node"));
            assertThat(line).isEqualTo("< from node");
            in.close(); // Ctrl-D: the client closes and exits
            assertThat(node.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(node.exitValue()).isZero();
        } finally {
            node.destroyForcibly();
        }
    }

    @Test
    void theBannerSaysTheReadthroughCacheIsOn() {
        assertThat(output.toString(StandardCharsets.UTF_8))
                .contains("  cache      64 MiB in memory (--cache-size); readthrough HTTP cache on for send/fetch to"
                        + " backends (off: --no-readthrough-cache)");
    }

    /**
     * A client that leaves a handed-off connection (Ctrl-C on curl, a closed tab) releases what serves it on the
     * proxy side at once, with no publish to discover it (issue #11): its subscription and the edge's loopback
     * connection to the proxy both go.
     */
    @ParameterizedTest
    @ValueSource(strings = {"long-poll", "stream", "sse", "websocket"})
    void aClientThatLeavesIsReleasedOnTheProxySide(String kind) throws Exception {
        OutpostProxy proxy = session.proxy();
        // Earlier tests' clients are gone by now (that is what this test is about).
        await().atMost(Duration.ofSeconds(20)).until(() -> proxy.hub().subscriberCount("test") == 0);
        int connectionsBefore = proxy.openConnections();
        Socket client = new Socket("127.0.0.1", session.edgePort());
        client.setSoTimeout(20_000);
        String request = kind.equals("websocket")
                ? "GET /test/websocket HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
                : "GET /test/" + kind + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
        client.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
        client.getOutputStream().flush();
        if (!kind.equals("long-poll")) {
            // A held stream and a WebSocket answer at once; a long-poll answers only when it ends.
            assertThat(readHead(client.getInputStream()))
                    .startsWith(kind.equals("websocket") ? "HTTP/1.1 101" : "HTTP/1.1 200");
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> proxy.hub().subscriberCount("test") == 1);
        assertThat(proxy.openConnections()).isEqualTo(connectionsBefore + 1);

        client.close();
        // No publish follows: only the close itself can release the proxy side.
        await().atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(10))
                .until(() -> proxy.hub().subscriberCount("test") == 0 && proxy.openConnections() == connectionsBefore);
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed before the response head: " + head.toString(StandardCharsets.ISO_8859_1));
            }
            head.write(b);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }
}
