package dev.outpost.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

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
}
