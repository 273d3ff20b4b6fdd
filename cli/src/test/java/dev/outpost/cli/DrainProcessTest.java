package dev.outpost.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The graceful drain of {@code outpost proxy} on SIGTERM (issue 16, docs/security.md "Stopping"), on a real process:
 * the listeners close, a held long-poll gets its timeout response, a held stream the last chunk of its body, a
 * WebSocket a close frame 1001, a request in flight to a slow origin still gets its answer, and the process exits 0.
 */
@Timeout(120)
class DrainProcessTest {

    @Test
    void sigtermEndsHoldsCleanlyAndFinishesWhatIsInFlight() throws Exception {
        CountDownLatch arrived = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        HttpServer origin = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        origin.createContext("/slow", ex -> {
            arrived.countDown();
            try {
                release.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] b = "slow done\n".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, b.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(b);
            }
        });
        origin.setExecutor(Executors.newCachedThreadPool());
        origin.start();
        HttpClient http = HttpClient.newHttpClient();
        ProxyProcess proxy = ProxyProcess.start(
                "--inspector-port",
                "127.0.0.1:0",
                "--route",
                "* test",
                "--route",
                "slow.example 127.0.0.1:" + origin.getAddress().getPort());
        Process p = proxy.process();
        try {
            int port = proxy.port("client");
            Socket longPoll = request(port, "localhost", "/response");
            Socket stream = request(port, "localhost", "/stream");
            readUntil(stream.getInputStream(), "[stream opened]");
            CompletableFuture<Integer> wsClosed = new CompletableFuture<>();
            http.newWebSocketBuilder()
                    .buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws"), new WebSocket.Listener() {
                        @Override
                        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
                            wsClosed.complete(statusCode);
                            return null;
                        }

                        @Override
                        public void onError(WebSocket ws, Throwable error) {
                            wsClosed.completeExceptionally(error);
                        }
                    })
                    .get(30, TimeUnit.SECONDS);
            Socket inFlight = request(port, "slow.example", "/slow");
            assertThat(arrived.await(30, TimeUnit.SECONDS)).isTrue();
            // both holds are in place
            String metrics = "http://127.0.0.1:" + proxy.port("inspector") + "/metrics";
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                String m = http.send(
                                HttpRequest.newBuilder(URI.create(metrics)).build(),
                                HttpResponse.BodyHandlers.ofString())
                        .body();
                return m.contains("outpost_holds{mode=\"response\"} 1.0")
                        && m.contains("outpost_holds{mode=\"stream\"} 1.0");
            });

            Launched.signal("TERM", p.pid());
            // the listener closes first; then the origin answers the request still in flight
            assertThat(Launched.released(List.of(port), Duration.ofSeconds(30))).isTrue();
            release.countDown();

            String lp = readAll(longPoll);
            assertThat(lp).startsWith("HTTP/1.1 200").endsWith("nothing for now\n");
            String st = readAll(stream);
            assertThat(st).as("the chunked body ends with its last chunk").endsWith("0\r\n\r\n");
            assertThat(wsClosed.get(30, TimeUnit.SECONDS)).isEqualTo(1001);
            String slow = readAll(inFlight);
            assertThat(slow).startsWith("HTTP/1.1 200").endsWith("slow done\n");
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("stopped").isTrue();
            assertThat(p.exitValue()).isZero();
        } finally {
            release.countDown();
            p.destroyForcibly();
            http.shutdownNow();
            origin.stop(0);
        }
    }

    static Socket request(int port, String host, String path) throws Exception {
        Socket s = new Socket("127.0.0.1", port);
        s.setSoTimeout(60_000);
        s.getOutputStream()
                .write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        return s;
    }

    static void readUntil(InputStream in, String text) throws Exception {
        StringBuilder sb = new StringBuilder();
        int c;
        while (!sb.toString().contains(text) && (c = in.read()) >= 0) {
            sb.append((char) c);
        }
        assertThat(sb.toString()).contains(text);
    }

    /** What is left on the connection, up to the server's close. */
    static String readAll(Socket s) throws Exception {
        try (s) {
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }
}
