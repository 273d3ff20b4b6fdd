package dev.outpost.proxy.observe;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.outpost.proxy.OutpostProxy;
import dev.outpost.proxy.support.LeakGuard;
import dev.outpost.proxy.support.ProxyHarness;
import dev.outpost.proxy.support.Publisher;
import dev.outpost.proxy.support.RawHttp;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What the inspector shows for what is not plain content (issue #18): hints and closes as actions, an item in a format
 * the connection does not take as no loss, a stream hold without a timeout, a handoff's real client, a favicon.
 */
@ExtendWith(LeakGuard.class)
@Timeout(60)
class InspectorViewsTest {
    private static final HttpClient HTTP =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    private static HttpResponse<String> get(OutpostProxy p, String path) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create(
                                "http://127.0.0.1:" + p.inspectorAddress().getPort() + path))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(OutpostProxy p, String path) throws Exception {
        HttpResponse<String> r = get(p, path);
        assertThat(r.statusCode()).as(path).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    private static OutpostProxy start() throws Exception {
        return ProxyHarness.start("", b -> b.setting(InspectorSettings.PORT, "0"));
    }

    /** The id of the one connection held on {@code channel}, once it is. */
    private static String heldOn(OutpostProxy p, String channel) throws Exception {
        Awaitility.await()
                .atMost(Duration.ofSeconds(10))
                .until(() ->
                        json(p, "/api/connections?q=" + channel).path("items").size() == 1
                                && !json(p, "/api/connections?q=" + channel)
                                        .path("items")
                                        .get(0)
                                        .path("channels")
                                        .isEmpty());
        return json(p, "/api/connections?q=" + channel)
                .path("items")
                .get(0)
                .path("id")
                .asText();
    }

    private static JsonNode lastPublish(OutpostProxy p) throws Exception {
        return json(p, "/api/publishes?limit=1").get(0);
    }

    @Test
    void aHintIsShownAsTheOriginAskedAgainAndACloseAsAClose() throws Exception {
        try (OutpostProxy p = start();
                RawHttp poll = new RawHttp(p.httpPort());
                RawHttp stream = new RawHttp(p.httpPort())) {
            poll.send(RawHttp.get("/response?channel=hinted"));
            String pollId = heldOn(p, "hinted");
            Publisher.publish(
                    p.publishPort(),
                    "{\"items\":[{\"channel\":\"hinted\",\"formats\":{\"http-response\":{\"action\":\"hint\"}}}]}");
            Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                JsonNode pub = lastPublish(p);
                assertThat(pub.path("action").asText()).isEqualTo("hint");
                assertThat(pub.path("acted").asInt()).isEqualTo(1);
                assertThat(pub.path("delivered").asInt()).isZero();
                assertThat(pub.path("dropped").isEmpty()).isTrue();
            });
            JsonNode hist =
                    json(p, "/api/connections/" + pollId).path("history").get(0);
            assertThat(hist.path("outcome").asText()).isEqualTo("acted");
            assertThat(hist.path("reason").asText()).isEqualTo("hint: the origin was asked again");

            stream.send(RawHttp.get("/stream?channel=closing"));
            assertThat(stream.readHead().status()).isEqualTo(200);
            String streamId = heldOn(p, "closing");
            // a stream hold has no timeout to show
            assertThat(json(p, "/api/connections/" + streamId).path("instruct").has("timeout"))
                    .isFalse();
            assertThat(json(p, "/api/connections/" + pollId)
                            .path("instruct")
                            .path("timeout")
                            .isInt())
                    .isTrue();
            Publisher.publish(
                    p.publishPort(),
                    "{\"items\":[{\"channel\":\"closing\",\"formats\":{\"http-stream\":{\"action\":\"close\"}}}]}");
            Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                JsonNode pub = lastPublish(p);
                assertThat(pub.path("action").asText()).isEqualTo("close");
                assertThat(pub.path("acted").asInt()).isEqualTo(1);
            });
        }
    }

    @Test
    void anItemInAFormatTheConnectionDoesNotTakeIsNoLossOfIt() throws Exception {
        try (OutpostProxy p = start();
                RawHttp poll = new RawHttp(p.httpPort())) {
            poll.send(RawHttp.get("/response?channel=streams-only"));
            String id = heldOn(p, "streams-only");
            Publisher.publish(
                    p.publishPort(),
                    "{\"items\":[{\"channel\":\"streams-only\",\"formats\":{\"http-stream\":{\"content\":\"x\"}}}]}");
            Awaitility.await()
                    .atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(lastPublish(p)
                                    .path("dropped")
                                    .path("no_format")
                                    .asInt())
                            .isEqualTo(1));
            JsonNode c = json(p, "/api/connections/" + id);
            assertThat(c.path("dropped").asInt()).isZero();
            assertThat(c.path("history").get(0).path("reason").asText()).isEqualTo("no_format");
        }
    }

    @Test
    void aConnectionFromLoopbackWithXForwardedForShowsTheRealClient() throws Exception {
        try (OutpostProxy p = start();
                RawHttp poll = new RawHttp(p.httpPort())) {
            poll.send(RawHttp.get("/response?channel=handoff", "X-Forwarded-For: 203.0.113.7, 10.0.0.1"));
            String id = heldOn(p, "handoff");
            assertThat(json(p, "/api/connections/" + id).path("peer").asText())
                    .startsWith("203.0.113.7 (handed off through 127.0.0.1:");
        }
    }

    @Test
    void theFaviconIsServed() throws Exception {
        try (OutpostProxy p = start()) {
            for (String path : new String[] {"/favicon.ico", "/favicon.svg"}) {
                HttpResponse<String> r = get(p, path);
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.headers().firstValue("content-type")).hasValue("image/svg+xml");
                assertThat(r.body()).startsWith("<svg");
            }
            assertThat(get(p, "/").body()).contains("<link rel=\"icon\" href=\"favicon.svg\"");
        }
    }
}
