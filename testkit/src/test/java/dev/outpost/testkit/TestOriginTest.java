package dev.outpost.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The kit's origin over a real socket: handlers, the fallback, GRIP holds, recording. */
class TestOriginTest {
    static final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();

    @AfterAll
    static void stop() {
        http.shutdownNow();
    }

    static HttpResponse<String> send(TestOrigin origin, String target, String body) throws Exception {
        return http.send(
                HttpRequest.newBuilder(origin.uri().resolve(target))
                        .timeout(Duration.ofSeconds(30))
                        .method(
                                body == null ? "GET" : "POST",
                                body == null
                                        ? HttpRequest.BodyPublishers.noBody()
                                        : HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void pathsAnswerAsTheirHandlersSayAndEveryRequestIsRecorded() throws Exception {
        try (TestOrigin origin = new TestOrigin()) {
            origin.on("/hi", ex -> TestOrigin.respond(ex, 200, "text/plain", "hi " + TestOrigin.bodyText(ex)));
            assertThat(origin.uri()).isEqualTo(URI.create("http://127.0.0.1:" + origin.port() + "/"));

            HttpResponse<String> hi = send(origin, "/hi?x=1", "there");
            assertThat(hi.statusCode()).isEqualTo(200);
            assertThat(hi.body()).isEqualTo("hi there");
            HttpResponse<String> none = send(origin, "/nowhere", null);
            assertThat(none.statusCode()).isEqualTo(404);
            assertThat(none.body()).isEqualTo("no handler\n");

            TestOrigin.Seen first = origin.take();
            assertThat(first.method()).isEqualTo("POST");
            assertThat(first.uri()).isEqualTo("/hi?x=1");
            assertThat(first.path()).isEqualTo("/hi");
            assertThat(first.bodyText()).isEqualTo("there");
            assertThat(first.header("content-length")).isEqualTo("5");
            assertThat(origin.take("/nowhere").method()).isEqualTo("GET");
            assertThat(origin.idle()).isTrue();
        }
    }

    @Test
    void theFallbackAnswersUnknownPathsAndHoldsCarryGripHeaders() throws Exception {
        try (TestOrigin origin = new TestOrigin()) {
            origin.otherwise(ex -> TestOrigin.respond(ex, 202, "text/plain", "fallback\n"));
            origin.hold("/stream", "stream", "news", "[open]\n", "Grip-Keep-Alive", "\\n; format=cstring");

            assertThat(send(origin, "/anything", null).statusCode()).isEqualTo(202);
            HttpResponse<String> held = send(origin, "/stream", null);
            assertThat(held.headers().firstValue("Grip-Hold")).hasValue("stream");
            assertThat(held.headers().firstValue("Grip-Channel")).hasValue("news");
            assertThat(held.headers().firstValue("Grip-Keep-Alive")).hasValue("\\n; format=cstring");
            assertThat(held.body()).isEqualTo("[open]\n");
        }
    }

    @Test
    void freePortsAreFree() throws Exception {
        int port = FreePorts.port();
        assertThat(port).isPositive();
        int base = FreePorts.range(4);
        for (int i = 0; i < 4; i++) {
            try (ServerSocket s = new ServerSocket(base + i, 1, InetAddress.getLoopbackAddress())) {
                assertThat(s.getLocalPort()).isEqualTo(base + i);
            }
        }
    }
}
