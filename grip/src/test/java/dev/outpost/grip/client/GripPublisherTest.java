package dev.outpost.grip.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.outpost.grip.publish.PublishItem;
import dev.outpost.grip.publish.PublishParser;
import dev.outpost.grip.sig.GripSig;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The publisher against a recording HTTP endpoint on a free port. */
@Timeout(30)
class GripPublisherTest {
    record Seen(String target, String authorization, String userAgent, byte[] body) {}

    HttpServer server;
    final BlockingQueue<Seen> seen = new LinkedBlockingQueue<>();
    volatile int status = 200;
    volatile String answer = "Published\n";

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
            seen.add(new Seen(
                    ex.getRequestURI().toString(),
                    ex.getRequestHeaders().getFirst("Authorization"),
                    ex.getRequestHeaders().getFirst("User-Agent"),
                    ex.getRequestBody().readAllBytes()));
            byte[] out = answer.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(status, out.length == 0 ? -1 : out.length);
            try (OutputStream os = ex.getResponseBody()) {
                os.write(out);
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    Seen take() throws InterruptedException {
        Seen s = seen.poll(10, TimeUnit.SECONDS);
        assertThat(s).as("a request reached the endpoint").isNotNull();
        return s;
    }

    @Test
    void theThreeShortcutsAndItemsWithIds() throws Exception {
        try (GripPublisher p = GripPublisher.fromGripUrl(url() + "/base")) {
            p.publishHttpStream("news", "s\n");
            assertThat(PublishParser.parse(take().body()))
                    .containsExactly(
                            PublishItem.builder("news").httpStream("s\n").build());
            p.publishHttpResponse("news", "r");
            assertThat(PublishParser.parse(take().body()).get(0).httpResponse().body())
                    .isEqualTo("r".getBytes(StandardCharsets.UTF_8));
            p.publishWsMessage("news", "w");
            Seen ws = take();
            assertThat(ws.target()).isEqualTo("/base/publish/");
            assertThat(ws.authorization()).isNull();
            PublishItem a = PublishItem.builder("news")
                    .id("2")
                    .prevId("1")
                    .httpStream("a")
                    .build();
            PublishItem b = PublishItem.builder("other").close().build();
            p.publish(a, b);
            assertThat(PublishParser.parse(take().body())).containsExactly(a, b);
        }
    }

    @Test
    void signsAJwtFromIssAndKeyOnEveryPublish() throws Exception {
        try (GripPublisher p = GripPublisher.fromGripUrl(url() + "?iss=me&key=base64:c2VjcmV0")) {
            p.publishAsync(PublishItem.builder("c").hint().build()).get(10, TimeUnit.SECONDS);
        }
        String auth = take().authorization();
        assertThat(auth).startsWith("Bearer ");
        assertThat(GripSig.verify(auth.substring(7), "secret".getBytes(StandardCharsets.UTF_8), Instant.now()))
                .isTrue();
    }

    @Test
    void builderCredentialsAndHeaders() throws Exception {
        try (GripPublisher p = GripPublisher.builder(url() + "?key=ignored")
                .bearer("tok")
                .header("User-Agent", "test/1")
                .build()) {
            p.publishWsMessage("c", "x");
        }
        Seen s = take();
        assertThat(s.authorization()).isEqualTo("Bearer tok");
        assertThat(s.userAgent()).isEqualTo("test/1");
    }

    @Test
    void aRefusalCarriesStatusAndBody() {
        status = 400;
        answer = "Invalid format: nope\n";
        try (GripPublisher p = GripPublisher.fromGripUrl(url())) {
            assertThatThrownBy(() -> p.publishHttpStream("c", "x"))
                    .isInstanceOfSatisfying(PublishException.class, e -> {
                        assertThat(e.status()).isEqualTo(400);
                        assertThat(e.refused()).isTrue();
                        assertThat(e.body()).isEqualTo("Invalid format: nope\n");
                        assertThat(e.detail()).isEqualTo("400 Bad Request: Invalid format: nope");
                        assertThat(e.getMessage())
                                .isEqualTo("publish to " + url() + "/publish/ refused: 400 Bad Request: Invalid format:"
                                        + " nope");
                    });
            assertThatThrownBy(() -> p.publishHttpStreamAsync("c", "x").join())
                    .isInstanceOf(CompletionException.class)
                    .hasCauseInstanceOf(PublishException.class);
        }
    }

    @Test
    void anUnreachableEndpointHasStatusZero() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        try (GripPublisher p = GripPublisher.builder("http://127.0.0.1:" + port)
                .timeout(Duration.ofSeconds(5))
                .build()) {
            assertThatThrownBy(() -> p.publishWsMessage("c", "x")).isInstanceOfSatisfying(PublishException.class, e -> {
                assertThat(e.status()).isZero();
                assertThat(e.refused()).isFalse();
                assertThat(e.detail()).isEqualTo("connection refused");
            });
        }
    }

    @Test
    void aClosedPublisherRefusesToPublish() {
        GripPublisher p = GripPublisher.fromGripUrl(url());
        p.close();
        p.close();
        assertThatThrownBy(() -> p.publishWsMessage("c", "x")).hasMessageContaining("is closed");
        assertThatThrownBy(() -> p.publish(List.of())).isInstanceOf(IllegalArgumentException.class);
    }
}
