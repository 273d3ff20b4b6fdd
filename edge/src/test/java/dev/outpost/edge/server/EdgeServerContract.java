package dev.outpost.edge.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.outpost.edge.config.BackendConfig;
import dev.outpost.edge.config.KvEntry;
import dev.outpost.edge.config.LocalServerConfig;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.AbstractStringAssert;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * End to end over real HTTP: compiled JS apps served by {@link EdgeServer}. Each engine runs this same suite through a
 * subclass. Cross-check an app under Viceroy with {@code viceroy serve target/test-apps/app.wasm -C <toml>}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
abstract class EdgeServerContract {
    /**
     * Generous, so that no answer here depends on how fast a loaded machine runs a cold guest (a first TLS handshake
     * in an interpreted engine takes seconds); the limit itself is tested with a tiny program in
     * {@code GuardRailsWatTest}.
     */
    private static final Duration GUEST_TIME_LIMIT = Duration.ofSeconds(60);

    private static final long MEMORY_LIMIT = 128L << 20;

    private final ConcurrentLinkedQueue<String> logLines = new ConcurrentLinkedQueue<>();
    private EchoOrigin origin;
    private EchoOrigin tlsOrigin;
    private EdgeServer app;
    private EdgeServer hello;
    private HttpClient client;

    abstract String engine();

    @BeforeAll
    void start() throws IOException {
        origin = new EchoOrigin();
        tlsOrigin = new EchoOrigin(true);
        String originPem;
        try (var in = getClass().getResourceAsStream("/certs/origin.pem")) {
            originPem = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
        LocalServerConfig local = new LocalServerConfig(
                Map.of(
                        "origin",
                        BackendConfig.of("origin", origin.uri()),
                        "secure",
                        new BackendConfig(
                                "secure",
                                tlsOrigin.uri(),
                                null,
                                null,
                                true,
                                Duration.ofSeconds(1),
                                Duration.ofSeconds(15),
                                Duration.ofSeconds(10),
                                "unknown",
                                false,
                                originPem),
                        "untrusted",
                        BackendConfig.of("untrusted", tlsOrigin.uri()),
                        "slow",
                        new BackendConfig(
                                "slow",
                                origin.uri(),
                                null,
                                null,
                                true,
                                Duration.ofSeconds(1),
                                Duration.ofMillis(300),
                                Duration.ofSeconds(1),
                                "unknown",
                                false,
                                null),
                        "down",
                        BackendConfig.of("down", URI.create("http://127.0.0.1:" + closedPort() + "/"))),
                Map.of("flags", Map.of("beta", "on")),
                Map.of(
                        "store",
                        Map.of("seeded", new KvEntry("from toml".getBytes(StandardCharsets.UTF_8), "seed-meta"))),
                Map.of("secrets", Map.of("token", "s3cret".getBytes(StandardCharsets.UTF_8))),
                Map.of("10.1.2.3", "{\"city\":\"Lisbon\",\"as_number\":1234}"),
                true,
                Map.of("TestPhone/1.0", "{\"device\":{\"name\":\"Test Phone\",\"is_mobile\":true}}"),
                Map.of(
                        "internal",
                        List.of(
                                new LocalServerConfig.AclEntry("10.0.0.0/8", "BLOCK"),
                                new LocalServerConfig.AclEntry("10.1.0.0/16", "ALLOW"))));
        app = new EdgeServer(EdgeConfig.of(TestApps.wasm("app"))
                        .withAddress(new InetSocketAddress("127.0.0.1", 0))
                        .withEngine(engine())
                        .withRequestTimeout(GUEST_TIME_LIMIT)
                        .withMemoryLimit(MEMORY_LIMIT)
                        .withLocalServer(local)
                        .withLogSink((endpoint, message) -> logLines.add(endpoint + " :: " + message)))
                .start();
        client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    private static int closedPort() throws IOException {
        try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @AfterAll
    void stop() {
        if (app != null) {
            app.close();
        }
        if (hello != null) {
            hello.close();
        }
        if (origin != null) {
            origin.close();
        }
        if (tlsOrigin != null) {
            tlsOrigin.close();
        }
    }

    private URI uri(EdgeServer server, String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    private HttpResponse<String> get(String path) throws Exception {
        // A bounded wait for the whole response: a body that never ends must fail the test, not hang it.
        return client.sendAsync(HttpRequest.newBuilder(uri(app, path)).build(), HttpResponse.BodyHandlers.ofString())
                .get(60, TimeUnit.SECONDS);
    }

    /** GETs {@code path}, checks the status, and gives an assertion on the body. */
    private AbstractStringAssert<?> answer(String path, int status) throws Exception {
        HttpResponse<String> response = get(path);
        assertThat(response.statusCode())
                .as("GET %s: %s", path, response.body())
                .isEqualTo(status);
        return assertThat(response.body());
    }

    @Test
    void helloAppAnswersWithItsFixedResponse() throws Exception {
        hello = new EdgeServer(EdgeConfig.of(TestApps.wasm("hello"))
                        .withAddress(new InetSocketAddress("127.0.0.1", 0))
                        .withEngine(engine()))
                .start();
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> response =
                    client.send(HttpRequest.newBuilder(uri(hello, "/")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("hello");
            assertThat(response.headers().firstValue("content-type")).hasValue("text/plain");
        }
    }

    @Test
    void echoesMethodUrlMultiValueHeadersAndBody() throws Exception {
        HttpResponse<String> response = client.send(
                HttpRequest.newBuilder(uri(app, "/echo?x=1&y=two"))
                        .header("x-multi", "one")
                        .header("x-multi", "two")
                        .header("x-single", "value")
                        .POST(HttpRequest.BodyPublishers.ofString("request body"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(201);
        assertThat(response.headers().allValues("set-cookie")).containsExactly("a=1", "b=2");
        var json = new ObjectMapper().readTree(response.body());
        assertThat(json.get("method").asText()).isEqualTo("POST");
        assertThat(json.get("url").asText()).isEqualTo("http://127.0.0.1:" + app.port() + "/echo?x=1&y=two");
        assertThat(json.get("body").asText()).isEqualTo("request body");
        List<String> headers = new ArrayList<>();
        json.get("headers")
                .forEach(h -> headers.add(h.get(0).asText() + ": " + h.get(1).asText()));
        assertThat(headers).contains("x-multi: one, two", "x-single: value");
    }

    @Test
    void streamsAResponseBodyInChunks() throws Exception {
        HttpResponse<String> response = get("/stream");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("chunk 0\nchunk 1\nchunk 2\nchunk 3\nchunk 4\n");
        assertThat(response.headers().firstValue("content-length")).isEmpty();
    }

    @Test
    void fetchesFromABackend() throws Exception {
        HttpResponse<String> response = get("/backend?path=/hello%3Fq%3D1");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("origin said 200: GET /hello?q=1");
        assertThat(response.headers().firstValue("x-origin-header")).hasValue("test-origin");
        EchoOrigin.Received received = origin.take("/hello?q=1");
        assertThat(received.fromEdge()).isEqualTo("yes");
        assertThat(received.host()).isEqualTo("origin.test");
    }

    @Test
    void postsARequestBodyToABackend() throws Exception {
        HttpResponse<String> response = client.send(
                HttpRequest.newBuilder(uri(app, "/backend?path=/submit"))
                        .POST(HttpRequest.BodyPublishers.ofString("payload"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.body()).isEqualTo("origin said 200: POST /submit payload");
        assertThat(origin.take("/submit").body()).isEqualTo("payload");
    }

    @Test
    void fetchesFromABackendInParallel() throws Exception {
        answer("/parallel", 200).isEqualTo("GET /a+GET /b");
    }

    @Test
    void readsAConfigStore() throws Exception {
        assertThat(get("/config?key=beta").body()).isEqualTo("on");
        answer("/config?key=nope", 404).isEqualTo("missing");
    }

    @Test
    void writesToLoggingEndpointsAndStdout() throws Exception {
        assertThat(get("/log").body()).isEqualTo("logged");
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(
                        () -> assertThat(logLines).contains("mylog :: hello from the edge", "stdout :: console line"));
    }

    @Test
    void seesFastlyEnvironmentVariables() throws Exception {
        assertThat(get("/env").body()).isEqualTo("version=0 host=localhost pop=XXX");
    }

    @Test
    void seesTheClientAddress() throws Exception {
        assertThat(get("/client").body()).isEqualTo("127.0.0.1");
    }

    @Test
    void aThrowingHandlerGetsA500AndTheServerKeepsServing() throws Exception {
        assertThat(get("/throw").statusCode()).isEqualTo(500);
        assertThat(get("/env").statusCode()).isEqualTo(200);
    }

    @Test
    void kvStoreLooksUpSeededEntriesWithMetadata() throws Exception {
        HttpResponse<String> response = get("/kv?op=get&key=seeded");
        assertThat(response.body()).isEqualTo("from toml");
        assertThat(response.headers().firstValue("x-metadata")).hasValue("seed-meta");
        assertThat(get("/kv?op=get&key=absent").statusCode()).isEqualTo(404);
    }

    @Test
    void kvStoreInsertsListsAndDeletes() throws Exception {
        assertThat(get("/kv?op=put&key=k1&value=v1&meta=m1").body()).isEqualTo("stored");
        assertThat(get("/kv?op=put&key=k2&value=v2").body()).isEqualTo("stored");
        HttpResponse<String> read = get("/kv?op=get&key=k1");
        assertThat(read.body()).isEqualTo("v1");
        assertThat(read.headers().firstValue("x-metadata")).hasValue("m1");
        assertThat(get("/kv?op=list&prefix=k").body()).isEqualTo("k1,k2");
        assertThat(get("/kv?op=delete&key=k1").body()).isEqualTo("deleted");
        assertThat(get("/kv?op=get&key=k1").statusCode()).isEqualTo(404);
    }

    @Test
    void readsASecret() throws Exception {
        assertThat(get("/secret?key=token").body()).isEqualTo("s3cret");
        assertThat(get("/secret?key=nope").body()).isEqualTo("missing");
    }

    @Test
    void looksUpGeolocationFromConfigAndTheLoopbackDefault() throws Exception {
        var json = new ObjectMapper();
        assertThat(json.readTree(get("/geo?ip=10.1.2.3").body()).get("city").asText())
                .isEqualTo("Lisbon");
        var loopback = json.readTree(get("/geo?ip=127.0.0.1").body());
        assertThat(loopback.get("city").asText()).isEqualTo("San Francisco");
        assertThat(loopback.get("as_number").asInt()).isEqualTo(54113);
    }

    @Test
    void fetchesThroughAnImplicitDynamicBackend() throws Exception {
        String target = "127.0.0.1:" + origin.uri().getPort();
        assertThat(get("/dynamic?target=" + target).body()).isEqualTo("dynamic 200: GET /dyn");
    }

    @Test
    void streamsARequestBodyToABackend() throws Exception {
        assertThat(get("/stream-upload").body()).isEqualTo("POST /upload part0part1part2");
        assertThat(origin.take("/upload").body()).isEqualTo("part0part1part2");
    }

    @Test
    void passesABackendResponseThrough() throws Exception {
        // Repeated: the backend body may still be arriving when the guest hands it on, or already complete.
        for (int i = 0; i < 20; i++) {
            HttpResponse<String> response = get("/proxy?path=/through");
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("GET /through");
            assertThat(response.headers().firstValue("x-origin")).hasValue("test-origin");
        }
    }

    @Test
    void aReusableSandboxServesSeveralRequestsFromOneInstance() throws Exception {
        try (EdgeServer reuse = new EdgeServer(EdgeConfig.of(TestApps.wasm("reuse"))
                        .withAddress(new InetSocketAddress("127.0.0.1", 0))
                        .withEngine(engine()))
                .start()) {
            List<String> bodies = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                if (i > 0) {
                    await().atMost(Duration.ofSeconds(10))
                            .until(() -> reuse.app().hasIdleSandbox());
                }
                HttpResponse<String> response = client.send(
                        HttpRequest.newBuilder(uri(reuse, "/r" + i)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).isEqualTo(200);
                bodies.add(response.body());
            }
            // Each request lands in the waiting instance, so its counter keeps growing.
            assertThat(bodies).containsExactly("/r0 served=1", "/r1 served=2", "/r2 served=3", "/r3 served=4");
        }
    }

    @Test
    void aclLookupPicksTheLongestMatchingPrefix() throws Exception {
        assertThat(get("/acl?ip=10.1.2.3").body()).isEqualTo("ALLOW 10.1.0.0/16");
        assertThat(get("/acl?ip=10.9.9.9").body()).isEqualTo("BLOCK 10.0.0.0/8");
        assertThat(get("/acl?ip=192.168.1.1").body()).isEqualTo("no match");
    }

    @Test
    void deviceDetectionMatchesExactUserAgents() throws Exception {
        HttpResponse<String> known = client.send(
                HttpRequest.newBuilder(uri(app, "/device"))
                        .header("user-agent", "TestPhone/1.0")
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(known.body()).isEqualTo("Test Phone mobile=true");
        assertThat(get("/device").body()).isEqualTo("unknown device");
    }

    @Test
    void rateCountersCountInMemory() throws Exception {
        assertThat(get("/erl").body()).startsWith("count=");
        assertThat(Integer.parseInt(get("/erl").body().substring(6))).isGreaterThanOrEqualTo(14);
    }

    @Test
    void aGuestThatAllocatesTooMuchIsStoppedWithA500() throws Exception {
        try (ServerLog log = ServerLog.capture()) {
            assertThat(get("/alloc").statusCode()).isEqualTo(500);
            // It got some way (8 MiB blocks), then the memory limit (128 MiB), not the time limit, stopped it.
            assertThat(logLines).anyMatch(line -> line.startsWith("stdout :: allocated"));
            assertThat(logLines).doesNotContain("stdout :: allocated 512 MiB");
            assertThat(log.messages())
                    .filteredOn(m -> m.contains("/alloc: guest error:"))
                    .singleElement()
                    .asString()
                    .contains("over the limit of 128 MiB", "--memory-limit")
                    .doesNotContain("ran longer than the limit");
        }
        assertThat(get("/env").statusCode()).isEqualTo(200);
    }

    @Test
    void anUnreachableBackendFailsTheFetch() throws Exception {
        answer("/down", 502).startsWith("backend failed: ");
    }

    @Test
    void aFanoutHandoffWithoutAGripProxyAnswers500() throws Exception {
        answer("/fanout", 500).isEqualTo("Pushpin handoff signaled, but Pushpin mode not enabled.");
    }

    @Test
    void servesConcurrentRequestsEachInItsOwnInstance() throws Exception {
        List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            String path = i % 2 == 0 ? "/env" : "/backend?path=/c" + i;
            responses.add(client.sendAsync(
                    HttpRequest.newBuilder(uri(app, path)).build(), HttpResponse.BodyHandlers.ofString()));
        }
        for (int i = 0; i < responses.size(); i++) {
            HttpResponse<String> response = responses.get(i).get(60, TimeUnit.SECONDS);
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body())
                    .isEqualTo(i % 2 == 0 ? "version=0 host=localhost pop=XXX" : "origin said 200: GET /c" + i);
        }
    }

    @Test
    void readsAChunkedRequestBody() throws Exception {
        byte[] payload = "x".repeat(100_000).getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> response = client.sendAsync(
                        HttpRequest.newBuilder(uri(app, "/echo"))
                                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(payload)))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .get(60, TimeUnit.SECONDS);
        assertThat(response.statusCode()).isEqualTo(201);
        var json = new ObjectMapper().readTree(response.body());
        assertThat(json.get("body").asText()).hasSize(100_000);
    }

    @Test
    void streamsTheClientRequestBodyOnToABackend() throws Exception {
        byte[] payload = "y".repeat(200_000).getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> response = client.sendAsync(
                            HttpRequest.newBuilder(uri(app, "/pass-upload"))
                                    .POST(HttpRequest.BodyPublishers.ofInputStream(
                                            () -> new ByteArrayInputStream(payload)))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .get(60, TimeUnit.SECONDS);
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).hasSize("POST /pass ".length() + payload.length);
            assertThat(origin.take("/pass").body()).hasSize(payload.length);
        }
    }

    @Test
    void aBackendThatSendsNothingHitsTheFirstByteTimeout() throws Exception {
        answer("/slow", 504).startsWith("timed out: ");
    }

    @Test
    void fetchesOverTlsFromABackendWithItsOwnCaCertificate() throws Exception {
        try (ServerLog log = ServerLog.capture()) {
            HttpResponse<String> response = get("/backend?path=/s&be=secure");
            // Should this ever fail again, the server's log says why the guest ended (limit, send error, TLS).
            assertThat(response.body())
                    .as(() -> "status " + response.statusCode() + ", server log: " + log.messages())
                    .isEqualTo("origin said 200: GET /s");
        }
        // Without the CA certificate the origin's certificate is not trusted: the fetch fails. (Another path: the
        // readthrough cache keys by URL and Host, not by backend, so /s would be a hit.)
        assertThat(get("/backend?path=/u&be=untrusted").statusCode()).isEqualTo(500);
    }

    @Test
    void aResponseSentBeforeTheRequestBodyEndsKeepsTheConnectionUsable() throws Exception {
        try (var socket = new Socket("127.0.0.1", app.port())) {
            socket.setSoTimeout(20_000);
            var out = socket.getOutputStream();
            var in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
            out.write(("POST /env HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nhalf-")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            // The guest answers without reading the body; only then does the rest of the body arrive.
            assertThat(readResponse(in)).isEqualTo("version=0 host=localhost pop=XXX");
            out.write("done!".getBytes(StandardCharsets.ISO_8859_1));
            out.write("GET /env HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            assertThat(readResponse(in)).isEqualTo("version=0 host=localhost pop=XXX");
        }
    }

    /** Reads one response with a content-length and returns its body. */
    private static String readResponse(BufferedReader in) throws IOException {
        assertThat(in.readLine()).startsWith("HTTP/1.1 200");
        int length = -1;
        for (String line = in.readLine(); !line.isEmpty(); line = in.readLine()) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        char[] body = new char[length];
        int n = 0;
        while (n < length) {
            n += in.read(body, n, length - n);
        }
        return new String(body);
    }

    @Test
    void answersQuestionsAboutBackends() throws Exception {
        assertThat(get("/backend-info").body())
                .isEqualTo("exists=true/false target=127.0.0.1 port="
                        + tlsOrigin.uri().getPort() + " ssl=true dynamic=false firstByte=15000 health=unknown");
    }
}
