package dev.outpost.edge.wat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.outpost.edge.config.LocalServerConfig;
import dev.outpost.edge.server.EdgeLimits;
import dev.outpost.edge.server.ServerLog;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.awaitility.core.ConditionTimeoutException;

/**
 * The edge's guard rails (docs/limits.md, "Edge"): guest runs at once, those on the CPU, their queue, request body
 * buffering.
 */
class GuardRailsWatTest {
    private static final HttpClient CLIENT =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    /** Waits at the origin's gate, then reads the whole request body and answers with its length. */
    private static final String WAIT_THEN_COUNT = """
        (data (i32.const 0x400) "origin")
        (data (i32.const 0x410) "http://example.com/gate")
        (func (export "_start")
          (local $n i64)
          (call $ok (call $fastly_http_req.new (i32.const 0x500)) (i32.const 1))
          (call $ok (call $fastly_http_req.uri_set (i32.load (i32.const 0x500)) (i32.const 0x410) (i32.const 23))
            (i32.const 2))
          (call $ok (call $fastly_http_body.new (i32.const 0x504)) (i32.const 3))
          (call $ok (call $fastly_http_req.send (i32.load (i32.const 0x500)) (i32.load (i32.const 0x504))
            (i32.const 0x400) (i32.const 6) (i32.const 0x508) (i32.const 0x50c)) (i32.const 4))
          (call $ok (call $fastly_http_req.body_downstream_get (i32.const 0x510) (i32.const 0x514)) (i32.const 5))
          (loop $more
            (call $ok (call $fastly_http_body.read (i32.load (i32.const 0x514)) (i32.const 0x1000) (i32.const 65536)
              (i32.const 0x518)) (i32.const 6))
            (local.set $n (i64.add (local.get $n) (i64.extend_i32_u (i32.load (i32.const 0x518)))))
            (br_if $more (i32.load (i32.const 0x518))))
          (call $say_i64 (local.get $n))
          (call $finish))
        """;

    private static LocalServerConfig origin(WatOrigin origin) {
        return new LocalServerConfig(
                Map.of("origin", origin.backend("origin")),
                Map.of(),
                Map.of(),
                Map.of(),
                Map.of(),
                true,
                Map.of(),
                Map.of());
    }

    private static WatServer withOrigin(String engine, String program, WatOrigin origin, EdgeLimits limits) {
        return WatServer.start(
                engine,
                Wat.program(program),
                c -> c.withLocalServer(origin(origin)).withLimits(limits));
    }

    private static CompletableFuture<HttpResponse<String>> getAsync(WatServer server, String path) {
        return CLIENT.sendAsync(HttpRequest.newBuilder(server.uri(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @BothEngines
    void runsPastTheCapWaitThenAreRefusedNamingTheLimits(String engine) throws Exception {
        EdgeLimits limits = EdgeLimits.DEFAULT.withMaxGuests(1).withGuestQueue(1);
        try (WatOrigin origin = new WatOrigin();
                WatServer server = withOrigin(engine, WAIT_THEN_COUNT, origin, limits)) {
            CompletableFuture<HttpResponse<String>> first = getAsync(server, "/a");
            await().atMost(Duration.ofSeconds(30)).until(() -> origin.arrivals() == 1);
            CompletableFuture<HttpResponse<String>> second = getAsync(server, "/b");
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> server.server().stats().queuedRequests() == 1);

            HttpResponse<String> third = server.get("/c");
            assertThat(third.statusCode()).isEqualTo(503);
            assertThat(third.headers().firstValue("retry-after")).hasValue("1");
            assertThat(third.body()).contains("--max-guests (now 1)").contains("--guest-queue (now 1)");
            assertThat(origin.arrivals()).as("the queued run has not started").isEqualTo(1);

            origin.openGate();
            assertThat(first.get().statusCode()).isEqualTo(200);
            assertThat(second.get().statusCode()).isEqualTo(200);
            assertThat(server.server().stats().refusedRequests()).isEqualTo(1);
        }
    }

    @BothEngines
    void aRunWaitingForItsBackendLetsAnotherOnTheCpu(String engine) throws Exception {
        // One run on the CPU at once, and up to eight in progress: the second reaches the origin while the first waits.
        // Both pass the cache, or the second would wait for the first's response instead of asking the origin.
        String waitAtTheOrigin = """
            (data (i32.const 0x400) "origin")
            (data (i32.const 0x410) "http://example.com/gate")
            (func (export "_start")
              (call $ok (call $fastly_http_req.new (i32.const 0x500)) (i32.const 1))
              (call $ok (call $fastly_http_req.uri_set (i32.load (i32.const 0x500)) (i32.const 0x410) (i32.const 23))
                (i32.const 2))
              (call $ok (call $fastly_http_req.cache_override_set (i32.load (i32.const 0x500)) (i32.const 1)
                (i32.const 0) (i32.const 0)) (i32.const 3))
              (call $ok (call $fastly_http_body.new (i32.const 0x504)) (i32.const 4))
              (call $ok (call $fastly_http_req.send (i32.load (i32.const 0x500)) (i32.load (i32.const 0x504))
                (i32.const 0x400) (i32.const 6) (i32.const 0x508) (i32.const 0x50c)) (i32.const 5))
              (call $reply (i32.const 0x400) (i32.const 6)))
            """;
        EdgeLimits limits = EdgeLimits.DEFAULT.withGuestCpus(1);
        try (PatientCpu patient = new PatientCpu();
                WatOrigin origin = new WatOrigin();
                WatServer server = withOrigin(engine, waitAtTheOrigin, origin, limits)) {
            CompletableFuture<HttpResponse<String>> first = getAsync(server, "/a");
            await().atMost(Duration.ofSeconds(30)).until(() -> origin.arrivals() == 1);
            CompletableFuture<HttpResponse<String>> second = getAsync(server, "/b");
            await().atMost(Duration.ofSeconds(30)).until(() -> origin.arrivals() == 2);
            // Both wait for their backend, off the CPU.
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> server.server().stats().runningGuests() == 2
                            && server.server().stats().guestsOnCpu() == 0);
            origin.openGate();
            assertThat(first.get().statusCode()).isEqualTo(200);
            assertThat(second.get().statusCode()).isEqualTo(200);
        }
    }

    @BothEngines
    void aRunWaitingForItsRequestBodyLetsAnotherOnTheCpu(String engine) throws Exception {
        String countBody = """
            (func (export "_start")
              (local $n i64)
              (call $ok (call $fastly_http_req.body_downstream_get (i32.const 0x510) (i32.const 0x514)) (i32.const 1))
              (loop $more
                (call $ok (call $fastly_http_body.read (i32.load (i32.const 0x514)) (i32.const 0x1000)
                  (i32.const 65536) (i32.const 0x518)) (i32.const 2))
                (local.set $n (i64.add (local.get $n) (i64.extend_i32_u (i32.load (i32.const 0x518)))))
                (br_if $more (i32.load (i32.const 0x518))))
              (call $say_i64 (local.get $n))
              (call $finish))
            """;
        EdgeLimits limits = EdgeLimits.DEFAULT.withGuestCpus(1);
        try (PatientCpu patient = new PatientCpu();
                WatServer server = WatServer.start(engine, Wat.program(countBody), c -> c.withLimits(limits));
                Socket upload = new Socket("127.0.0.1", server.port())) {
            // An upload of 8 bytes that sends the first 4, then pauses.
            OutputStream out = upload.getOutputStream();
            out.write("POST /upload HTTP/1.1\r\nhost: localhost\r\ncontent-length: 8\r\n\r\nxxxx"
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            // Its run waits for the rest of the body, off the CPU.
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> server.server().stats().runningGuests() == 1
                            && server.server().stats().guestsOnCpu() == 0);
            HttpResponse<String> other = server.send(HttpRequest.newBuilder(server.uri("/other"))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[3])));
            assertThat(other.statusCode()).isEqualTo(200);
            assertThat(other.body()).isEqualTo("3");
            out.write("xxxx".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String response = new String(upload.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
            assertThat(response).isEqualTo("HTTP/1.1 200");
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> server.server().stats().runningGuests() == 0);
        }
    }

    /**
     * Runs wait for a CPU slot for a minute rather than 100 ms while open: a run that kept its slot while it waited
     * would keep the next one out for longer than the tests wait.
     */
    private static final class PatientCpu implements AutoCloseable {
        PatientCpu() {
            System.setProperty("outpost.edge.guestCpuPatienceMillis", "60000");
        }

        @Override
        public void close() {
            System.clearProperty("outpost.edge.guestCpuPatienceMillis");
        }
    }

    @BothEngines
    void aLargeUploadStreamsToTheGuestInsteadOfBeingHeldWhole(String engine) throws Exception {
        int buffer = 64 * 1024;
        long size = 50L << 20;
        // The copy kept for a handoff is bounded too: together they bound what one upload holds.
        EdgeLimits limits = EdgeLimits.DEFAULT.withRequestBodyBuffer(buffer).withHandoffBodyLimit(buffer);
        try (WatOrigin origin = new WatOrigin();
                WatServer server = withOrigin(engine, WAIT_THEN_COUNT, origin, limits)) {
            CompletableFuture<HttpResponse<String>> upload = CLIENT.sendAsync(
                    HttpRequest.newBuilder(server.uri("/upload"))
                            .POST(HttpRequest.BodyPublishers.fromPublisher(
                                    HttpRequest.BodyPublishers.ofInputStream(() -> zeros(size)), size))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            await().atMost(Duration.ofSeconds(30)).until(() -> origin.arrivals() == 1);
            // The guest waits and reads nothing; the client goes on sending. Give it up to 2 s to push megabytes in.
            try {
                await().atMost(Duration.ofSeconds(2))
                        .until(() -> server.server().stats().peakRequestBodyBuffered() > 4L << 20);
            } catch (ConditionTimeoutException expected) {
                // Flow control held it back: what the assertion below checks.
            }
            assertThat(server.server().stats().peakRequestBodyBuffered())
                    .as("request body bytes held at once")
                    .isLessThanOrEqualTo(2L * buffer);
            origin.openGate();
            HttpResponse<String> response = upload.get();
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEqualTo(Long.toString(size));
            assertThat(server.server().stats().peakRequestBodyBuffered()).isLessThanOrEqualTo(2L * buffer);
        }
    }

    @BothEngines
    void anUnreadUploadIsDroppedAndTheConnectionServesTheNextRequest(String engine) {
        String replyAtOnce = """
            (data (i32.const 0x400) "ok")
            (func (export "_start") (call $reply (i32.const 0x400) (i32.const 2)))
            """;
        try (WatServer server = WatServer.start(engine, Wat.program(replyAtOnce))) {
            for (int i = 0; i < 2; i++) {
                HttpResponse<String> response = server.send(HttpRequest.newBuilder(server.uri("/"))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[5 << 20])));
                assertThat(response.statusCode()).isEqualTo(200);
                assertThat(response.body()).isEqualTo("ok");
            }
            assertThat(server.get("/").body()).isEqualTo("ok");
        }
    }

    @BothEngines
    void aHandoffOfABodyPastTheLimitIsRefusedNamingTheLimit(String engine) {
        String readThenHandOff = """
            (data (i32.const 0x400) "self")
            (func (export "_start")
              (call $ok (call $fastly_http_req.body_downstream_get (i32.const 0x500) (i32.const 0x504)) (i32.const 1))
              (loop $more
                (call $ok (call $fastly_http_body.read (i32.load (i32.const 0x504)) (i32.const 0x1000)
                  (i32.const 4096) (i32.const 0x508)) (i32.const 2))
                (br_if $more (i32.load (i32.const 0x508))))
              (call $ok (call $fastly_http_req.redirect_to_grip_proxy_v2 (i32.load (i32.const 0x500))
                (i32.const 0x400) (i32.const 4)) (i32.const 3)))
            """;
        EdgeLimits limits = EdgeLimits.DEFAULT.withHandoffBodyLimit(1024);
        try (WatServer server = WatServer.start(engine, Wat.program(readThenHandOff), c -> c.withLimits(limits))) {
            HttpResponse<String> response = server.send(HttpRequest.newBuilder(server.uri("/"))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[10_000])));
            assertThat(response.statusCode()).isEqualTo(413);
            assertThat(response.body()).contains("--handoff-body-limit (1024 bytes)");
        }
    }

    @BothEngines
    void aGuestThatRunsPastTheTimeLimitIsStoppedNamingTheLimit(String engine) {
        String spin = """
            (func (export "_start")
              (loop $forever (br $forever)))
            """;
        try (ServerLog log = ServerLog.capture();
                WatServer server =
                        WatServer.start(engine, Wat.program(spin), c -> c.withRequestTimeout(Duration.ofMillis(500)))) {
            // Twice: the first stopped guest gave its place back, so the server keeps serving.
            for (int i = 0; i < 2; i++) {
                HttpResponse<String> response = server.get("/spin" + i);
                assertThat(response.statusCode()).isEqualTo(500);
                String path = "/spin" + i + ":";
                assertThat(log.messages())
                        .filteredOn(m -> m.contains(path))
                        .singleElement()
                        .asString()
                        .contains("guest stopped: it ran longer than the limit of 500 ms", "--guest-time-limit");
            }
        }
    }

    private static InputStream zeros(long size) {
        return new InputStream() {
            private long left = size;

            @Override
            public int read() {
                if (left == 0) {
                    return -1;
                }
                left--;
                return 0;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (left == 0) {
                    return -1;
                }
                int n = (int) Math.min(len, left);
                Arrays.fill(b, off, off + n, (byte) 0);
                left -= n;
                return n;
            }
        };
    }
}
