package dev.outpost.proxy.observe;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.outpost.proxy.OutpostProxy;
import dev.outpost.proxy.support.LeakGuard;
import dev.outpost.proxy.support.ProxyHarness;
import dev.outpost.proxy.support.Publisher;
import dev.outpost.proxy.support.RawHttp;
import dev.outpost.testkit.TestOrigin;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocket.Listener;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Metrics and the inspector's JSON API and live feed after real traffic through the built-in test target. */
@ExtendWith(LeakGuard.class)
@Timeout(60)
class InspectorTest {
    private static final HttpClient HTTP =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    private static String get(OutpostProxy p, String path) throws Exception {
        HttpResponse<String> r = HTTP.send(
                HttpRequest.newBuilder(URI.create(
                                "http://127.0.0.1:" + p.inspectorAddress().getPort() + path))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
        return r.body();
    }

    private static JsonNode json(OutpostProxy p, String path) throws Exception {
        return JSON.readTree(get(p, path));
    }

    private static OutpostProxy start(String prefix) throws Exception {
        return ProxyHarness.start(
                "", b -> b.setting(InspectorSettings.PORT, "0").setting("proxy/prometheus_prefix", prefix));
    }

    /** A long-poll on {@code room} answered by one publish, then a publish nobody is subscribed to. */
    private static String traffic(OutpostProxy p, RawHttp client) throws Exception {
        client.send(RawHttp.get("/response?channel=room"));
        Awaitility.await()
                .atMost(Duration.ofSeconds(10))
                .until(() -> json(p, "/api/connections?q=room").path("total").asInt() == 1);
        String conn = json(p, "/api/connections?q=room")
                .path("items")
                .get(0)
                .path("id")
                .asText();
        Publisher.publish(
                p.publishPort(),
                "{\"items\":[{\"channel\":\"room\",\"id\":\"m1\","
                        + "\"formats\":{\"http-response\":{\"body\":\"hi\\n\"}}}]}");
        assertThat(client.read().text()).isEqualTo("hi\n");
        Publisher.publish(
                p.publishPort(),
                "{\"items\":[{\"channel\":\"lobby\",\"id\":\"m2\","
                        + "\"formats\":{\"http-response\":{\"body\":\"nobody\\n\"}}}]}");
        return conn;
    }

    @Test
    void metricsAfterKnownTraffic() throws Exception {
        try (OutpostProxy p = start("");
                RawHttp client = new RawHttp(p.httpPort())) {
            assertThat(p.inspectorAddress()).isNotNull();
            traffic(p, client);
            Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                String m = get(p, "/metrics");
                assertThat(m)
                        .contains(
                                "\nrequest_received 1\n",
                                "\nconnection_connected 1\n",
                                "\nmessage_received 2\n",
                                "\nmessage_sent 1\n",
                                "outpost_messages_not_delivered_total{reason=\"no_subscriber\"} 1.0",
                                "outpost_holds{mode=\"response\"} 0.0",
                                "outpost_connections{transport=\"http\"} 1.0",
                                "outpost_publish_delivery_seconds_count 1",
                                "outpost_publish_delivery_seconds_bucket{le=",
                                "# TYPE connection_minute counter\nconnection_minute 0\n",
                                "outpost_subscriptions 0.0");
            });
        }
    }

    @Test
    void everyConnectionIsListedWithItsEvents() throws Exception {
        try (OutpostProxy p = start("");
                RawHttp a = new RawHttp(p.httpPort());
                RawHttp b = new RawHttp(p.httpPort());
                RawHttp c = new RawHttp(p.httpPort())) {
            Awaitility.await()
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> json(p, "/api/summary").path("connections").asInt() == 3);
            List<String> connects = new ArrayList<>();
            for (JsonNode e : json(p, "/api/events")) {
                if (e.path("type").asText().equals("connect")) {
                    connects.add(e.path("conn").asText());
                }
            }
            List<String> ids = new ArrayList<>();
            json(p, "/api/connections")
                    .path("items")
                    .forEach(x -> ids.add(x.path("id").asText()));
            assertThat(connects).containsExactlyElementsOf(ids).hasSize(3);
        }
    }

    @Test
    void originLatencyAndTheHubsDropCounts() throws Exception {
        try (TestOrigin origin = new TestOrigin()) {
            origin.on("/hello", ex -> {
                byte[] b = "hello\n".getBytes(StandardCharsets.UTF_8);
                ex.sendResponseHeaders(200, b.length);
                try (var out = ex.getResponseBody()) {
                    out.write(b);
                }
            });
            try (OutpostProxy p = ProxyHarness.start(
                            "*,id=app 127.0.0.1:" + origin.port() + "\n",
                            b -> b.setting(InspectorSettings.PORT, "0").clientMaxConn(1));
                    RawHttp client = new RawHttp(p.httpPort())) {
                client.send(RawHttp.get("/hello"));
                assertThat(client.read().text()).isEqualTo("hello\n");
                try (RawHttp refused = new RawHttp(p.httpPort())) {
                    assertThat(refused.closedByPeer()).isTrue();
                }
                Awaitility.await()
                        .atMost(Duration.ofSeconds(10))
                        .untilAsserted(() -> assertThat(get(p, "/metrics"))
                                .contains(
                                        "outpost_origin_request_seconds_count{route=\"app\",status=\"200\"} 1",
                                        "outpost_messages_dropped_total{reason=\"client_maxconn\"} 1.0"));
                Awaitility.await()
                        .atMost(Duration.ofSeconds(10))
                        .until(() -> get(p, "/api/events").contains("client_maxconn: "));
                p.observer().edgeRequest("GET", "/chat", 200, 12, "fanout");
                Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                    assertThat(get(p, "/metrics")).contains("outpost_edge_request_seconds_count{status=\"200\"} 1");
                    assertThat(get(p, "/api/events")).contains("GET /chat 200 in 12 ms, handoff fanout");
                    assertThat(json(p, "/api/summary").path("edgeHandoffs").asInt())
                            .isEqualTo(1);
                });
            }
        }
    }

    @Test
    void webSocketSubscriptionAndDelivery() throws Exception {
        try (OutpostProxy p = start("")) {
            BlockingQueue<String> got = new LinkedBlockingQueue<>();
            WebSocket ws = HTTP.newWebSocketBuilder()
                    .buildAsync(URI.create("ws://127.0.0.1:" + p.httpPort() + "/ws?channel=chat"), new Listener() {
                        @Override
                        public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                            got.add(data.toString());
                            w.request(1);
                            return null;
                        }
                    })
                    .get(10, TimeUnit.SECONDS);
            try {
                Awaitility.await()
                        .atMost(Duration.ofSeconds(10))
                        .until(() -> json(p, "/api/connections?kind=ws")
                                .path("items")
                                .toString()
                                .contains("\"chat\""));
                String conn = json(p, "/api/connections?kind=ws")
                        .path("items")
                        .get(0)
                        .path("id")
                        .asText();
                Publisher.publish(
                        p.publishPort(),
                        "{\"items\":[{\"channel\":\"chat\",\"id\":\"w1\","
                                + "\"formats\":{\"ws-message\":{\"content\":\"hey\"}}},{\"channel\":\"chat\",\"id\":\"w2\","
                                + "\"formats\":{\"http-stream\":{\"content\":\"not for ws\"}}}]}");
                assertThat(got.poll(10, TimeUnit.SECONDS)).isEqualTo("hey");
                Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                    JsonNode c = json(p, "/api/connections/" + conn);
                    assertThat(c.path("kind").asText()).isEqualTo("ws");
                    assertThat(c.path("history").toString())
                            .contains(
                                    "\"id\":\"w1\"",
                                    "\"outcome\":\"delivered\"",
                                    "\"id\":\"w2\"",
                                    "\"reason\":\"no_format\"");
                    assertThat(get(p, "/metrics"))
                            .contains("outpost_connections{transport=\"ws\"} 1.0", "outpost_subscriptions 1.0");
                });
                assertThat(json(p, "/api/explain?conn=" + conn + "&pub=w2")
                                .path("why")
                                .asText())
                        .contains("no format this connection takes");
            } finally {
                ws.abort();
            }
        }
    }

    @Test
    void manyConnectionsArePagedAndOutcomesBounded() throws Exception {
        int n = 300;
        List<RawHttp> clients = new ArrayList<>();
        try (OutpostProxy p = start("")) {
            List<String> lines = new CopyOnWriteArrayList<>();
            var feed = HTTP.sendAsync(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                                            + p.inspectorAddress().getPort() + "/api/feed"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofLines())
                    .thenAccept(r -> {
                        try (Stream<String> s = r.body()) {
                            s.forEach(lines::add);
                        }
                    });
            try {
                for (int i = 0; i < n; i++) {
                    RawHttp c = new RawHttp(p.httpPort());
                    clients.add(c);
                    c.send(RawHttp.get("/stream?channel=crowd"));
                }
                Awaitility.await()
                        .atMost(Duration.ofSeconds(20))
                        .until(() -> p.hub().subscriberCount("crowd") == n);
                Publisher.publish(
                        p.publishPort(),
                        "{\"items\":[{\"channel\":\"crowd\",\"id\":\"all\","
                                + "\"formats\":{\"http-stream\":{\"content\":\"hello all\\n\"}}}]}");
                Awaitility.await()
                        .atMost(Duration.ofSeconds(20))
                        .until(() ->
                                json(p, "/api/publishes/all").path("delivered").asInt() == n);
                JsonNode pub = json(p, "/api/publishes/all");
                assertThat(pub.path("outcomes").size()).isEqualTo(Model.OUTCOMES);
                assertThat(pub.path("moreOutcomes").asInt()).isEqualTo(n - Model.OUTCOMES);
                JsonNode page = json(p, "/api/connections?kind=stream&offset=250&limit=100");
                assertThat(page.path("total").asInt()).isEqualTo(n);
                assertThat(page.path("items").size()).isEqualTo(50);
                assertThat(json(p, "/api/summary").path("byKind").path("stream").asInt())
                        .isEqualTo(n);
                // a burst far above what one batch carries: the feed says how many it left out
                for (int i = 0; i < 1000; i++) {
                    p.observer().edgeRequest("GET", "/burst/" + i, 200, 1, null);
                }
                Awaitility.await()
                        .atMost(Duration.ofSeconds(10))
                        .until(() ->
                                lines.stream().anyMatch(l -> l.startsWith("data: ") && l.contains("\"skipped\":")));
                for (String l : lines) {
                    if (l.startsWith("data: ")) {
                        assertThat(JSON.readTree(l.substring(6)).path("events").size())
                                .isLessThanOrEqualTo(Inspector.FEED_EVENTS_PER_TICK);
                    }
                }
            } finally {
                feed.cancel(true);
                for (RawHttp c : clients) {
                    c.close();
                }
            }
        }
    }

    @Test
    void prefixGoesInFrontOfEveryName() throws Exception {
        try (OutpostProxy p = start("pushpin_");
                RawHttp client = new RawHttp(p.httpPort())) {
            client.send(RawHttp.get("/"));
            assertThat(client.read().status()).isEqualTo(200);
            Awaitility.await()
                    .atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(get(p, "/metrics"))
                            .contains(
                                    "\npushpin_request_received 1\n",
                                    "\npushpin_connection_connected 1\n",
                                    "pushpin_outpost_holds{mode=\"stream\"} 0.0")
                            .doesNotContain("\nrequest_received"));
        }
    }

    @Test
    void feedShowsHoldPublishAndDeliveryAndExplainSaysWhy() throws Exception {
        try (OutpostProxy p = start("");
                RawHttp client = new RawHttp(p.httpPort())) {
            List<String> lines = new CopyOnWriteArrayList<>();
            var feed = HTTP.sendAsync(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                                            + p.inspectorAddress().getPort() + "/api/feed"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofLines())
                    .thenAccept(r -> {
                        try (Stream<String> s = r.body()) {
                            s.forEach(lines::add);
                        }
                    });
            Awaitility.await()
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> json(p, "/api/summary").path("feeds").asInt() == 1);
            String conn = traffic(p, client);
            Awaitility.await()
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> events(lines).stream()
                            .anyMatch(e -> e.path("type").asText().equals("drop")));
            List<JsonNode> ev = events(lines);
            List<String> seen = new ArrayList<>();
            for (JsonNode e : ev) {
                seen.add(e.path("type").asText() + " " + e.path("conn").asText("-") + " "
                        + e.path("channel").asText("-") + " " + e.path("pub").asText("-"));
            }
            assertThat(seen)
                    .containsSubsequence(
                            "connect " + conn + " - -",
                            "request " + conn + " - -",
                            "hold " + conn + " room -",
                            "publish - room 1",
                            "deliver " + conn + " room 1",
                            "hold-end " + conn + " room -",
                            "publish - lobby 2",
                            "drop - lobby 2");
            JsonNode hold = ev.stream()
                    .filter(e -> e.path("type").asText().equals("hold"))
                    .findFirst()
                    .orElseThrow();
            assertThat(hold.path("text").asText()).startsWith("response, timeout ");

            JsonNode c = json(p, "/api/connections/" + conn);
            assertThat(c.path("instruct").path("hold").asText()).isEqualTo("response");
            assertThat(c.path("instruct").path("channels").get(0).path("name").asText())
                    .isEqualTo("room");
            assertThat(c.path("history").get(0).path("outcome").asText()).isEqualTo("delivered");
            assertThat(c.path("lastHoldEnd").asText()).isEqualTo("published");

            JsonNode pub = json(p, "/api/publishes/m1");
            assertThat(pub.path("delivered").asInt()).isEqualTo(1);
            assertThat(pub.path("outcomes").get(0).path("conn").asText()).isEqualTo(conn);
            assertThat(json(p, "/api/publishes/2")
                            .path("dropped")
                            .path("no_subscriber")
                            .asInt())
                    .isEqualTo(1);

            assertThat(json(p, "/api/explain?conn=" + conn + "&pub=m1")
                            .path("verdict")
                            .asText())
                    .isEqualTo("delivered");
            JsonNode why = json(p, "/api/explain?conn=" + conn + "&pub=m2");
            assertThat(why.path("verdict").asText()).isEqualTo("not delivered");
            assertThat(why.path("why").asText()).contains("not subscribed to channel lobby");

            assertThat(get(p, "/")).contains("<title>Outpost inspector</title>");
            assertThat(get(p, "/app.js")).contains("EventSource");
            feed.cancel(true);
        }
    }

    private static List<JsonNode> events(List<String> lines) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String l : lines) {
            if (l.startsWith("data: ")) {
                for (JsonNode e : JSON.readTree(l.substring(6)).path("events")) {
                    out.add(e);
                }
            }
        }
        return out;
    }
}
