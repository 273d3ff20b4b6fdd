package dev.outpost.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.junit.OutpostExtension;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code outpost publish} against a running proxy and its built-in test target. */
@Timeout(30)
class PublishDeliveryTest {
    @RegisterExtension
    static final OutpostExtension outpost = OutpostExtension.withRoutes("* test");

    static HttpClient http;

    @BeforeAll
    static void start() {
        http = HttpClient.newHttpClient();
    }

    @AfterAll
    static void stop() {
        http.shutdownNow(); // close() would wait for held streams and sockets that never end
    }

    static String spec() {
        return outpost.publishUrl();
    }

    static URI client(String path) {
        return URI.create(outpost.proxyUrl() + path);
    }

    /** Opens a stream on the test target and waits until its subscription is registered. */
    static BufferedReader openStream(String channel, String path) throws Exception {
        HttpResponse<InputStream> r =
                http.send(HttpRequest.newBuilder(client(path)).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.statusCode()).isEqualTo(200);
        BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8));
        assertThat(in.readLine()).isEqualTo("[stream opened]");
        outpost.awaitSubscribers(channel, 1, Duration.ofSeconds(10));
        return in;
    }

    @Test
    void heldStreamOnTestChannelGetsThePublish() throws Exception {
        try (BufferedReader in = openStream("test", "/stream")) {
            PublishRun r = PublishRun.run("--spec", spec(), "test", "hello from the cli");
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(r.out().strip()).isEqualTo("Published");
            assertThat(in.readLine()).isEqualTo("hello from the cli");
        }
    }

    @Test
    void gripUrlFromEnvironment() throws Exception {
        try (BufferedReader in = openStream("env-ch", "/stream?channel=env-ch")) {
            PublishRun r = PublishRun.run(Map.of("GRIP_URL", spec()), new byte[0], "env-ch", "via GRIP_URL");
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(in.readLine()).isEqualTo("via GRIP_URL");
        }
    }

    @Test
    void sseEventReachesTheStream() throws Exception {
        try (BufferedReader in = openStream("sse-ch", "/stream?channel=sse-ch")) {
            PublishRun r = PublishRun.run("--spec", spec(), "--format", "sse", "sse-ch", "a\nb");
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(in.readLine()).isEqualTo("data: a");
            assertThat(in.readLine()).isEqualTo("data: b");
            assertThat(in.readLine()).isEmpty();
        }
    }

    @Test
    void closeEndsTheStream() throws Exception {
        try (BufferedReader in = openStream("close-ch", "/stream?channel=close-ch")) {
            PublishRun r = PublishRun.run("--spec", spec(), "close-ch", "--close");
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(in.readLine()).isNull();
        }
    }

    @Test
    void longPollGetsCodeHeadersAndBody() throws Exception {
        CompletableFuture<HttpResponse<String>> poll = http.sendAsync(
                HttpRequest.newBuilder(client("/response?channel=poll-ch")).build(),
                HttpResponse.BodyHandlers.ofString());
        outpost.awaitSubscribers("poll-ch", 1, Duration.ofSeconds(10));
        PublishRun r = PublishRun.run("--spec", spec(), "poll-ch", "done", "--code", "202", "-H", "X-Outpost: yes");
        assertThat(r.code()).as(r.err()).isZero();
        HttpResponse<String> res = poll.get(10, TimeUnit.SECONDS);
        assertThat(res.statusCode()).isEqualTo(202);
        assertThat(res.headers().firstValue("X-Outpost")).contains("yes");
        assertThat(res.body()).isEqualTo("done\n");
    }

    @Test
    void wrongPathOnTheRealEndpointIsReportedWithItsStatus() {
        PublishRun r = PublishRun.run("--spec", spec() + "/nope", "test", "x");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("outpost: publish to " + spec() + "/nope/publish/ failed: 404");
    }
}
