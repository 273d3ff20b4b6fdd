package dev.outpost.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.outpost.testkit.FreePorts;
import dev.outpost.testkit.Lines;
import dev.outpost.testkit.TestOrigin;
import dev.outpost.testkit.TestPublisher;
import dev.outpost.testkit.TextMessages;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The local Fanout loop end to end through the edge port, with the example app (examples/fanout-starter): a client
 * talks to the Compute server, the app hands off to the GRIP proxy, the proxy asks the app again (backend
 * {@code self}), holds the connection, and a publish reaches the client. Subclasses choose the proxy.
 */
abstract class FanoutServeContract {
    static final Path EXAMPLE = FanoutExample.DIR;

    static ServeSession session;
    static TestOrigin origin;
    static HttpClient http;
    static int publishPort;
    static final ByteArrayOutputStream output = new ByteArrayOutputStream();
    /** Blocking reads run here, never in the common pool (it may have a single thread). */
    static final ExecutorService READERS = Executors.newVirtualThreadPerTaskExecutor();

    /** Builds the example if needed and serves it with a manifest that points at free ports and a test origin. */
    static void startServe(String pushpinPath) throws Exception {
        Path wasm = FanoutExample.wasm();
        origin = new TestOrigin();
        origin.on("/browser-page", exchange -> {
            byte[] page;
            try (InputStream in = FanoutServeContract.class.getResourceAsStream("/browser/fanout-page.html")) {
                page = in.readAllBytes();
            }
            exchange.getResponseHeaders().add("content-type", "text/html; charset=utf-8");
            exchange.sendResponseHeaders(200, page.length);
            exchange.getResponseBody().write(page);
            exchange.close();
        });
        origin.otherwise(exchange -> {
            String received = TestOrigin.bodyText(exchange);
            byte[] body = (exchange.getRequestURI().getPath().equals("/hello")
                            ? "hello from the origin\n"
                            : "origin saw " + exchange.getRequestMethod() + " " + exchange.getRequestURI() + " "
                                    + exchange.getRequestHeaders().getFirst("pushpin-route") + " [" + received + "]\n")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("content-type", "text/plain");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        int edgePort = FreePorts.port();
        int proxyPort = FreePorts.port();
        publishPort = FreePorts.range(4);
        String toml = String.join(
                "\n",
                "manifest_version = 3",
                "name = \"fanout-test\"",
                "[local_server.pushpin]",
                "enable = true",
                "proxy_port = " + proxyPort,
                "publish_port = " + publishPort,
                pushpinPath != null ? "pushpin_path = \"" + pushpinPath + "\"" : "",
                "[local_server.backends.self]",
                "url = \"http://localhost:" + edgePort + "/\"",
                "[local_server.backends.origin]",
                "url = \"http://127.0.0.1:" + origin.port() + "/\"",
                "");
        Path manifest = Files.createTempFile("fastly-", ".toml");
        Files.writeString(manifest, toml);
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        session = ServeSession.start(
                ServeOptions.builder(EXAMPLE)
                        .manifest(manifest)
                        .address(new InetSocketAddress("127.0.0.1", edgePort))
                        .wasm(wasm)
                        .build(),
                new PrintStream(output, true),
                System.err);
    }

    @AfterAll
    static void stopServe() {
        if (session != null) {
            session.close();
        }
        if (origin != null) {
            origin.close();
        }
        if (http != null) {
            http.shutdownNow(); // close() would wait for held streams and sockets that never end
        }
    }

    static URI edge(String path) {
        return URI.create("http://127.0.0.1:" + session.edgePort() + path);
    }

    static void publish(String formats) throws Exception {
        new TestPublisher(http, publishPort).publish("test", formats);
    }

    /** Publishes until {@code done} completes: a hold only receives what is published after it subscribed. */
    static <T> T publishUntil(CompletableFuture<T> done, String formats) throws Exception {
        return new TestPublisher(http, publishPort).publishUntil(done, "test", formats, Duration.ofSeconds(20));
    }

    @Test
    void aLongPollIsCompletedByAnHttpResponsePublish() throws Exception {
        CompletableFuture<HttpResponse<String>> poll = http.sendAsync(
                HttpRequest.newBuilder(edge("/test/long-poll")).build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> r = publishUntil(poll, "\"http-response\":{\"body\":\"published\\n\"}");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("published\n");
    }

    @Test
    void aStreamReceivesHttpStreamPublishes() throws Exception {
        HttpResponse<InputStream> r = http.send(
                HttpRequest.newBuilder(edge("/test/stream")).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue("text/plain");
        try (BufferedReader in = Lines.reader(r.body())) {
            CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> Lines.readLine(in), READERS);
            assertThat(publishUntil(line, "\"http-stream\":{\"content\":\"chunk\\n\"}"))
                    .isEqualTo("chunk");
            CompletableFuture<String> next = CompletableFuture.supplyAsync(() -> Lines.readLine(in), READERS);
            publish("\"http-stream\":{\"content\":\"second\\n\"}");
            // Earlier retries may still be on their way: skip them.
            String got = next.get(10, TimeUnit.SECONDS);
            while (got.equals("chunk")) {
                got = Lines.readLine(in);
            }
            assertThat(got).isEqualTo("second");
        }
    }

    @Test
    void serverSentEventsReceiveHttpStreamPublishes() throws Exception {
        HttpResponse<InputStream> r = http.send(
                HttpRequest.newBuilder(edge("/test/sse"))
                        .header("accept", "text/event-stream")
                        .build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue("text/event-stream");
        try (BufferedReader in = Lines.reader(r.body())) {
            CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> Lines.nonEmptyLine(in), READERS);
            assertThat(publishUntil(line, "\"http-stream\":{\"content\":\"event: note\\ndata: hi\\n\\n\"}"))
                    .isEqualTo("event: note");
            assertThat(Lines.readLine(in)).isEqualTo("data: hi");
        }
    }

    @Test
    void aWebSocketReceivesPublishesAndItsMessagesAreEchoed() throws Exception {
        TextMessages messages = new TextMessages();
        WebSocket ws = http.newWebSocketBuilder()
                .connectTimeout(Duration.ofSeconds(10))
                .buildAsync(URI.create("ws://127.0.0.1:" + session.edgePort() + "/test/websocket"), messages)
                .get(20, TimeUnit.SECONDS);
        try {
            CompletableFuture<String> first = CompletableFuture.supplyAsync(messages::take, READERS);
            assertThat(publishUntil(first, "\"ws-message\":{\"content\":\"hello\"}"))
                    .isEqualTo("hello");
            ws.sendText("echo me", true).get(5, TimeUnit.SECONDS);
            String got;
            do {
                got = messages.poll(Duration.ofSeconds(10));
            } while ("hello".equals(got));
            assertThat(got).isEqualTo("echo me");
        } finally {
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
        }
    }

    @Test
    void theAppAnswersARequestItselfWithoutFanout() throws Exception {
        HttpResponse<String> r =
                http.send(HttpRequest.newBuilder(edge("/edge/hello")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("Hello from the Compute app\n");
    }

    @Test
    void theAppFetchesFromABackend() throws Exception {
        HttpResponse<String> r =
                http.send(HttpRequest.newBuilder(edge("/edge/fetch")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("origin said: hello from the origin\n");
    }

    @Test
    void otherPathsAreHandedOffToTheOriginThroughTheProxy() throws Exception {
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(edge("/some/page?x=1"))
                        .POST(HttpRequest.BodyPublishers.ofString("the body"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        // Pushpin-Route is for the proxy only; the body is the client's.
        assertThat(r.body()).isEqualTo("origin saw POST /some/page?x=1 null [the body]\n");
    }

    @Test
    void anUnknownTestEndpointIsA404FromTheApp() throws Exception {
        HttpResponse<String> r =
                http.send(HttpRequest.newBuilder(edge("/test/nope")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.body()).isEqualTo("No such test endpoint\n");
    }

    /** Debian's Chromium (driven by the proxy module's playwright-core script) with SSE and a WebSocket. */
    @Test
    void eventSourceAndWebSocketInChromiumThroughTheEdge() throws Exception {
        Path chromium = Path.of(System.getenv().getOrDefault("OUTPOST_CHROMIUM", "/usr/bin/chromium"));
        Path driver = Path.of("..", "proxy", "src", "test", "browser");
        Assumptions.assumeTrue(
                Files.isExecutable(chromium), "Chromium not installed at " + chromium + ": browser test skipped");
        Assumptions.assumeTrue(
                Files.isDirectory(driver.resolve("node_modules/playwright-core")),
                "playwright-core not installed in " + driver + " (.ci/setup.sh): browser test skipped");
        Process node = new ProcessBuilder(
                        "node", "run.mjs", edge("/browser-page").toString(), "40000")
                .directory(driver.toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8))) {
            assertThat(out.readLine()).as("the page did not get ready").isEqualTo("READY");
            CompletableFuture<String> result = CompletableFuture.supplyAsync(() -> Lines.readLine(out), READERS);
            String json = publishUntil(
                    result,
                    "\"http-stream\":{\"content\":\"data: browser published\\n\\n\"},"
                            + "\"ws-message\":{\"content\":\"browser published\"}");
            var r = new ObjectMapper().readTree(json);
            assertThat(r.path("ok").asBoolean()).as(json).isTrue();
            assertThat(r.path("results").path("ws").get(0).asText()).isEqualTo("echo me");
            assertThat(r.path("results").path("sse").get(0).asText()).isEqualTo("browser published");
        } finally {
            if (!node.waitFor(30, TimeUnit.SECONDS)) {
                node.destroyForcibly();
            }
        }
    }
}
