package dev.outpost.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The extension around a GRIP origin written with the kit: streams, long-polls and WebSocket-over-HTTP. */
@Timeout(60)
class OutpostExtensionTest {
    static final GripOrigin origin = start();
    static final HttpClient http = HttpClient.newHttpClient();

    @RegisterExtension
    static final OutpostExtension outpost = OutpostExtension.withRoutes("* 127.0.0.1:" + origin.port() + ",over_http");

    static GripOrigin start() {
        try {
            return new GripOrigin();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @AfterAll
    static void stopOrigin() {
        http.shutdownNow(); // held streams never end on their own
        origin.close();
    }

    @Test
    void aHeldStreamGetsWhatThePublisherSends() throws Exception {
        assertThat(outpost.proxyUrl()).isEqualTo("http://127.0.0.1:" + outpost.proxyPort());
        HttpResponse<InputStream> r = http.send(
                HttpRequest.newBuilder(URI.create(outpost.proxyUrl() + "/stream/news"))
                        .build(),
                HttpResponse.BodyHandlers.ofInputStream());
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            assertThat(in.readLine()).isEqualTo("[open]");
            outpost.awaitSubscribers("news", 1, Duration.ofSeconds(10));
            outpost.publisher().publishHttpStream("news", "hello\n");
            assertThat(in.readLine()).isEqualTo("hello");
        }
    }

    @Test
    void aLongPollIsCompletedByAResponsePublishFromAnAsyncPublish() throws Exception {
        CompletableFuture<HttpResponse<String>> poll = http.sendAsync(
                HttpRequest.newBuilder(URI.create(outpost.proxyUrl() + "/poll/updates"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        outpost.awaitSubscribers("updates", 1, Duration.ofSeconds(10));
        outpost.publisher().publishHttpResponseAsync("updates", "news!\n").get(10, TimeUnit.SECONDS);
        HttpResponse<String> r = poll.get(10, TimeUnit.SECONDS);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("news!\n");
    }

    @Test
    void aWebSocketOverHttpOriginSubscribesAndEchoes() throws Exception {
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        WebSocket ws = http.newWebSocketBuilder()
                .buildAsync(URI.create(outpost.proxyUrl().replace("http:", "ws:") + "/ws"), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                        received.add(data.toString());
                        webSocket.request(1);
                        return null;
                    }
                })
                .get(10, TimeUnit.SECONDS);
        try {
            outpost.awaitSubscribers("room", 1, Duration.ofSeconds(10));
            outpost.publisher().publishWsMessage("room", "to everyone");
            assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo("to everyone");
            ws.sendText("hi", true).get(10, TimeUnit.SECONDS);
            assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo("echo: hi");
        } finally {
            ws.abort();
        }
    }

    @Test
    void awaitSubscribersNamesWhatItSaw() {
        assertThatThrownBy(() -> outpost.awaitSubscribers("nobody", 1, Duration.ofMillis(50)))
                .isInstanceOf(AssertionError.class)
                .hasMessageStartingWith("channel 'nobody': 0 subscriber(s) after PT0.05S, expected at least 1");
    }

    @Nested
    class InANestedClass {
        @Test
        void theSameProxyServes() {
            assertThat(outpost.subscribers("none")).isZero();
            assertThat(outpost.publishUrl()).isEqualTo("http://127.0.0.1:" + outpost.publishPort());
        }
    }
}
