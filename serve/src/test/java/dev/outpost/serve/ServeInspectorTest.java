package dev.outpost.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.outpost.testkit.FreePorts;
import dev.outpost.testkit.TestPublisher;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code outpost serve --inspector-port}: the in-process proxy's inspector, with the edge's requests in it. */
@Timeout(120)
class ServeInspectorTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static HttpClient http;
    static Path wasm;
    static final List<ServeSession> sessions = new ArrayList<>();

    @TempDir
    Path dir;

    @BeforeAll
    static void build() throws Exception {
        wasm = FanoutExample.wasm();
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    @AfterAll
    static void stop() {
        sessions.forEach(ServeSession::close);
        if (http != null) {
            http.shutdownNow(); // close() would wait for held streams and sockets that never end
        }
    }

    /** A manifest with Fanout on free ports and the app as its own backend ({@code self}). */
    Path manifest(int edgePort, boolean fanout) throws Exception {
        Path manifest = dir.resolve("fastly.toml");
        Files.writeString(
                manifest,
                String.join(
                        "\n",
                        "manifest_version = 3",
                        "name = \"inspector-test\"",
                        "[local_server.pushpin]",
                        "enable = " + fanout,
                        "proxy_port = " + FreePorts.port(),
                        "publish_port = " + FreePorts.port(),
                        "[local_server.backends.self]",
                        "url = \"http://localhost:" + edgePort + "/\"",
                        ""));
        return manifest;
    }

    ServeSession serve(boolean fanout, String inspectorPort, ByteArrayOutputStream out) throws Exception {
        int edgePort = FreePorts.port();
        ServeSession s = ServeSession.start(
                ServeOptions.builder(FanoutExample.DIR)
                        .manifest(manifest(edgePort, fanout))
                        .address(new InetSocketAddress("127.0.0.1", edgePort))
                        .wasm(wasm)
                        .inspectorPort(inspectorPort)
                        .build(),
                new PrintStream(out, true, StandardCharsets.UTF_8),
                System.err);
        sessions.add(s);
        return s;
    }

    static HttpResponse<String> get(String url) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(30))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void edgeRequestsAndTheirHandoffsShowInTheInspector() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ServeSession s = serve(true, "0", out);
        InetSocketAddress inspector = s.inspectorAddress();
        assertThat(inspector).isNotNull();
        assertThat(inspector.getPort()).isPositive();
        String api = "http://127.0.0.1:" + inspector.getPort();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("  inspector  http://127.0.0.1:" + inspector.getPort() + "/   (Prometheus: /metrics)");

        String edge = "http://127.0.0.1:" + s.edgePort();
        // Answered by the app itself.
        assertThat(get(edge + "/edge/hello").statusCode()).isEqualTo(200);
        // Handed off to the proxy, which asks the app again (backend 'self'): the app answers 404 itself.
        HttpResponse<String> handedOff = get(edge + "/test/nothing-here?x=1");
        assertThat(handedOff.statusCode()).isEqualTo(404);
        assertThat(handedOff.body()).isEqualTo("No such test endpoint\n");

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode summary = JSON.readTree(get(api + "/api/summary").body());
            assertThat(summary.path("edgeRequests").asLong()).isGreaterThanOrEqualTo(2);
            assertThat(summary.path("edgeHandoffs").asLong()).isEqualTo(1);
            List<String> edgeEvents = new ArrayList<>();
            for (JsonNode e : JSON.readTree(get(api + "/api/events?limit=1000").body())) {
                if (e.path("type").asText().equals("edge")) {
                    edgeEvents.add(e.path("text").asText());
                }
            }
            assertThat(edgeEvents)
                    .anySatisfy(t ->
                            assertThat(t).startsWith("GET /edge/hello 200 in ").doesNotContain("handoff"));
            assertThat(edgeEvents)
                    .anySatisfy(t -> assertThat(t)
                            .startsWith("GET /test/nothing-here?x=1 404 in ")
                            .endsWith(", handoff fanout to backend 'self'"));
        });
        String metrics = get(api + "/metrics").body();
        assertThat(metrics).contains("outpost_edge_request_seconds_count{status=\"404\"}");
    }

    @Test
    void offMeansNoInspector() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ServeSession s = serve(true, "off", out);
        assertThat(s.inspectorAddress()).isNull();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("  inspector  off: --inspector-port off");
        assertThat(get("http://127.0.0.1:" + s.edgePort() + "/edge/hello").statusCode())
                .isEqualTo(200);
    }

    @Test
    void withoutFanoutTheBannerSaysWhyThereIsNoInspector() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ServeSession s = serve(false, "0", out);
        assertThat(s.inspectorAddress()).isNull();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("  inspector  off: it runs with the in-process GRIP proxy, and Fanout is off");
    }

    @Test
    void takenDefaultPortsMoveToFreeOnesAndTheBannerSaysWhy() throws Exception {
        // Stand-ins for the default inspector and publish ports, held as `outpost proxy` would hold 7998 and 5561.
        try (ServerSocket inspectorHeld = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                ServerSocket publishHeld = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int edgePort = FreePorts.port();
            Path manifest = dir.resolve("fastly.toml");
            Files.writeString(
                    manifest,
                    String.join(
                            "\n",
                            "manifest_version = 3",
                            "[local_server.pushpin]",
                            "enable = true",
                            "proxy_port = " + FreePorts.port(),
                            "[local_server.backends.self]",
                            "url = \"http://localhost:" + edgePort + "/\"",
                            ""));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ServeSession s = ServeSession.start(
                    ServeOptions.builder(FanoutExample.DIR)
                            .manifest(manifest)
                            .address(new InetSocketAddress("127.0.0.1", edgePort))
                            .wasm(wasm)
                            .build(),
                    new PrintStream(out, true, StandardCharsets.UTF_8),
                    System.err,
                    new ServeSession.Defaults(7677, publishHeld.getLocalPort(), inspectorHeld.getLocalPort()));
            sessions.add(s);
            String pid = "(pid " + ProcessHandle.current().pid() + ")";
            assertThat(s.inspectorAddress()).isNotNull();
            assertThat(s.inspectorAddress().getPort()).isNotEqualTo(inspectorHeld.getLocalPort());
            assertThat(s.fanout().publishPort()).isNotEqualTo(publishHeld.getLocalPort());
            assertThat(out.toString(StandardCharsets.UTF_8))
                    .contains("  publish    http://127.0.0.1:" + s.fanout().publishPort() + "/publish/")
                    .contains("  inspector  http://127.0.0.1:"
                            + s.inspectorAddress().getPort() + "/")
                    .contains("  note       publish moved to a free port: " + publishHeld.getLocalPort()
                            + " is in use by ")
                    .contains(pid + " (--pushpin-publish-port chooses one)")
                    .contains("  note       inspector moved to a free port: " + inspectorHeld.getLocalPort())
                    .contains(pid + " (--inspector-port chooses one)");
            HttpResponse<String> published = new TestPublisher(http, s.fanout().publishPort())
                    .post(TestPublisher.items("test", "\"http-stream\":{\"content\":\"x\"}"));
            assertThat(published.statusCode()).isEqualTo(200);
        }
    }

    @Test
    void aTakenPortSomeoneChoseStopsServeWithTheOptionThatMovesIt() throws Exception {
        try (ServerSocket held = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String port = Integer.toString(held.getLocalPort());
            assertThatThrownBy(() -> serve(true, port, new ByteArrayOutputStream()))
                    .isInstanceOfSatisfying(
                            ServeException.class, e -> assertThat(e.exitCode()).isEqualTo(1))
                    .hasMessageStartingWith("cannot start the GRIP proxy: cannot listen on 127.0.0.1:" + port
                            + " (inspector): address already in use, held by ")
                    .hasMessageEndingWith(
                            "; choose another with --inspector-port (or turn it off with" + " --inspector-port off)");
        }
    }

    @Test
    void aBadValueIsAUsageError() {
        for (String bad : List.of("abc", "70000", "-1", ":8080", "host:")) {
            assertThatThrownBy(() -> serve(true, bad, new ByteArrayOutputStream()))
                    .isInstanceOfSatisfying(
                            ServeException.class, e -> assertThat(e.exitCode()).isEqualTo(2))
                    .hasMessage("--inspector-port: '" + bad + "' (expected: PORT or ADDR:PORT, PORT 0-65535, or off)");
        }
    }
}
