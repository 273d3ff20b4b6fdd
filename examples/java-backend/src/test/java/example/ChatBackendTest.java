package example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outpost.junit.OutpostExtension;
import java.io.BufferedReader;
import java.io.IOException;
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
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ChatBackendTest {
    static final ChatBackend backend = startBackend();

    // A GRIP proxy in front of the backend, on free ports, once for the class. It signs requests with the key the
    // backend checks; over_http makes WebSockets reach the backend as WebSocket-over-HTTP.
    @RegisterExtension
    static final OutpostExtension outpost = OutpostExtension.builder()
            .routes("* 127.0.0.1:" + backend.port() + ",over_http")
            .sigKey("changeme")
            .build();

    static final HttpClient http = HttpClient.newHttpClient();

    static ChatBackend startBackend() {
        try {
            return ChatBackend.start(0, "changeme");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @BeforeAll
    static void publishThroughTheProxy() {
        backend.publishTo(outpost.publishUrl());
    }

    @AfterAll
    static void stop() {
        http.shutdownNow(); // held streams do not end by themselves
        backend.close();
    }

    @Test
    void anEventStreamGetsPostedMessages() throws Exception {
        HttpResponse<java.io.InputStream> events = http.send(
                HttpRequest.newBuilder(URI.create(outpost.proxyUrl() + "/rooms/lobby/events")).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        try (BufferedReader in = new BufferedReader(new InputStreamReader(events.body(), StandardCharsets.UTF_8))) {
            assertEquals(": joined lobby", in.readLine());
            assertEquals("", in.readLine());
            outpost.awaitSubscribers("lobby", 1, Duration.ofSeconds(10));

            http.send(
                    HttpRequest.newBuilder(URI.create(outpost.proxyUrl() + "/rooms/lobby/messages"))
                            .POST(HttpRequest.BodyPublishers.ofString("hello"))
                            .build(),
                    HttpResponse.BodyHandlers.discarding());

            assertTrue(in.readLine().startsWith("id: "));
            assertEquals("data: hello", in.readLine());
        }
    }

    @Test
    void aLongPollGetsTheNextMessage() throws Exception {
        CompletableFuture<HttpResponse<String>> next = http.sendAsync(
                HttpRequest.newBuilder(URI.create(outpost.proxyUrl() + "/rooms/news/next")).build(),
                HttpResponse.BodyHandlers.ofString());
        outpost.awaitSubscribers("news", 1, Duration.ofSeconds(10));
        backend.post("news", "extra!");
        assertEquals("extra!\n", next.get(10, TimeUnit.SECONDS).body());
    }

    @Test
    void aWebSocketJoinsTheRoomAndPosts() throws Exception {
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        WebSocket ws = http.newWebSocketBuilder()
                .buildAsync(URI.create(outpost.proxyUrl().replace("http", "ws") + "/rooms/chat/ws"),
                        new WebSocket.Listener() {
                            @Override
                            public CompletionStage<?> onText(WebSocket socket, CharSequence text, boolean last) {
                                received.add(text.toString());
                                socket.request(1);
                                return null;
                            }
                        })
                .get(10, TimeUnit.SECONDS);
        outpost.awaitSubscribers("chat", 1, Duration.ofSeconds(10));
        ws.sendText("hi all", true);
        assertEquals("hi all", received.poll(10, TimeUnit.SECONDS));
        ws.abort();
    }

    @Test
    void requestsThatBypassTheProxyAreRefused() throws Exception {
        HttpResponse<String> direct = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + backend.port() + "/rooms/lobby/events"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(403, direct.statusCode());
    }
}
