package dev.outpost.grip.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.grip.publish.PublishItem;
import dev.outpost.grip.publish.PublishParser;
import dev.outpost.grip.sig.GripSig;
import dev.outpost.testkit.TestOrigin;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The publisher against a recording test origin on a free port. */
@Timeout(30)
class GripPublisherTest {
    TestOrigin server;
    volatile int status = 200;
    volatile String answer = "Published\n";

    @BeforeEach
    void start() throws Exception {
        server = new TestOrigin().otherwise(ex -> {
            byte[] out = answer.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(status, out.length == 0 ? -1 : out.length);
            try (OutputStream os = ex.getResponseBody()) {
                os.write(out);
            }
        });
    }

    @AfterEach
    void stop() {
        server.close();
    }

    String url() {
        return "http://127.0.0.1:" + server.port();
    }

    TestOrigin.Seen take() throws InterruptedException {
        return server.take();
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
            TestOrigin.Seen ws = take();
            assertThat(ws.uri()).isEqualTo("/base/publish/");
            assertThat(ws.header("Authorization")).isNull();
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
        String auth = take().header("Authorization");
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
        TestOrigin.Seen s = take();
        assertThat(s.header("Authorization")).isEqualTo("Bearer tok");
        assertThat(s.header("User-Agent")).isEqualTo("test/1");
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
