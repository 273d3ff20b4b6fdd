package dev.outpost.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.outpost.testkit.FreePorts;
import dev.outpost.testkit.Lines;
import dev.outpost.testkit.TestPublisher;
import dev.outpost.testkit.TextMessages;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real Fastly CLI 16 (its binary package from npm, the one {@code @fastly/cli} installs on Linux x64; see
 * cli/src/test/fastly-cli) running {@code fastly compute serve}
 * on a copy of examples/fanout-starter with Outpost as its Viceroy and its Pushpin: first found on PATH
 * ({@code FASTLY_VICEROY_USE_PATH=1}), then named with {@code --viceroy-path} and {@code --pushpin-path} on the same
 * ports right after. Through the edge: a Fanout handoff held until a publish, SSE, a WebSocket; {@code --watch}
 * after an edit; and Ctrl-C leaving no process and no listening port. The CLI is kept offline: every HTTP request it
 * makes (update check, wasm-tools download) goes to a proxy address where nothing listens and fails at once.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FastlyCliIT {
    static final Path EXAMPLE = Launched.ROOT.resolve("examples/fanout-starter");
    static final Path CLI_PACKAGES = Launched.ROOT.resolve("cli/src/test/fastly-cli/node_modules/@fastly");
    static final String HELLO = "Hello from the Compute app\n";

    @TempDir
    static Path tmp;

    static Path fastly;
    static Path project;
    static int edgePort;
    static int proxyPort;
    static int publishPort;
    static HttpClient http;
    static final ExecutorService READERS = Executors.newVirtualThreadPerTaskExecutor();
    static final List<ProcessHandle> launched = new ArrayList<>();

    @BeforeAll
    static void setUp() throws Exception {
        fastly = findFastly();
        assumeTrue(
                fastly != null,
                "the Fastly CLI is not installed in " + CLI_PACKAGES.getParent()
                        + " (.ci/setup.sh; its npm package is for Linux x64)");
        assumeTrue(
                Files.isDirectory(EXAMPLE.resolve("node_modules/@fastly/js-compute")),
                "examples/fanout-starter has no node_modules (.ci/setup.sh)");
        assumeTrue(Files.isRegularFile(Launched.JAR), Launched.JAR + " is not built (mvn package)");
        edgePort = FreePorts.port();
        proxyPort = FreePorts.port();
        publishPort = FreePorts.range(4);
        project = copyOfTheExample();
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    @AfterAll
    static void tearDown() {
        launched.forEach(Launched::killTree);
        if (http != null) {
            http.shutdownNow();
        }
    }

    /** The platform package's binary (@fastly/cli's node_modules/.bin/fastly is a Node wrapper that would stand between). */
    static Path findFastly() throws IOException {
        if (!Files.isDirectory(CLI_PACKAGES)) {
            return null;
        }
        try (Stream<Path> dirs = Files.list(CLI_PACKAGES)) {
            return dirs.filter(d -> d.getFileName().toString().startsWith("cli-"))
                    .map(d -> d.resolve("fastly"))
                    .filter(Files::isExecutable)
                    .findFirst()
                    .orElse(null);
        }
    }

    /** The example's sources and build, its node_modules linked, and a manifest on free ports. */
    static Path copyOfTheExample() throws IOException {
        Path copy = tmp.resolve("fanout-starter");
        Files.createDirectories(copy.resolve("src"));
        Files.copy(EXAMPLE.resolve("package.json"), copy.resolve("package.json"));
        Files.copy(EXAMPLE.resolve("src/index.js"), copy.resolve("src/index.js"));
        Files.createSymbolicLink(copy.resolve("node_modules"), EXAMPLE.resolve("node_modules"));
        Matcher build = Pattern.compile("(?m)^build = (.*)$").matcher(Files.readString(EXAMPLE.resolve("fastly.toml")));
        assertThat(build.find())
                .as("[scripts] build in the example's fastly.toml")
                .isTrue();
        Files.writeString(
                copy.resolve("fastly.toml"),
                String.join(
                        "\n",
                        "manifest_version = 3",
                        "name = \"fanout-starter-under-the-fastly-cli\"",
                        "language = \"javascript\"",
                        "[scripts]",
                        "build = " + build.group(1),
                        "[local_server.pushpin]",
                        "enable = true",
                        "proxy_port = " + proxyPort,
                        "publish_port = " + publishPort,
                        "[local_server.backends.self]",
                        "url = \"http://localhost:" + edgePort + "/\"",
                        "override_host = \"localhost:" + edgePort + "\"",
                        ""));
        return copy;
    }

    /** {@code fastly compute serve ARGS} in the project, offline, its output in {@code log}. */
    static Process serve(Path log, boolean ownProcessGroup, Map<String, String> env, String... args)
            throws IOException {
        List<String> command = new ArrayList<>();
        if (ownProcessGroup) {
            command.add("setsid"); // execs in place: the CLI keeps this pid and leads a group of its own
        }
        command.add(fastly.toString());
        command.addAll(List.of("compute", "serve", "--addr", "127.0.0.1:" + edgePort));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command)
                .directory(project.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Map<String, String> e = pb.environment();
        Path home = tmp.resolve("home");
        Files.createDirectories(home);
        e.put("HOME", home.toString());
        e.put("XDG_CONFIG_HOME", home.resolve(".config").toString());
        // No data-collection notice (it sleeps 5 s) and no Wasm annotations.
        e.put("FASTLY_WASM_METADATA_DISABLE", "true");
        // Offline: the CLI's update check and wasm-tools download fail at once instead of waiting on a network.
        String nowhere = "http://127.0.0.1:" + FreePorts.port();
        for (String k : List.of("HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy")) {
            e.put(k, nowhere);
        }
        e.put("NO_PROXY", "");
        e.put("no_proxy", "");
        // The jar this build made; the inspector's default port is not ours to take.
        e.put("OUTPOST_SKIP_BUILD", "1");
        e.put("OUTPOST_INSPECTOR_PORT", "off");
        e.putAll(env);
        Process p = pb.start();
        launched.add(p.toHandle());
        return p;
    }

    static void awaitHello(Process cli, Path log, String text) {
        await().atMost(Duration.ofMinutes(5))
                .pollInterval(Duration.ofMillis(500))
                .failFast("fastly compute serve exited:\n" + Launched.tail(log, 40), () -> !cli.isAlive())
                .ignoreExceptions()
                .until(() -> {
                    HttpResponse<String> r = http.send(
                            HttpRequest.newBuilder(edge("/edge/hello"))
                                    .timeout(Duration.ofSeconds(10))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
                    return r.statusCode() == 200 && r.body().equals(text);
                });
    }

    @Test
    @Order(1)
    void onPathWithWatchAnEditIsServedAndCtrlCLeavesNothing() throws Exception {
        Path log = tmp.resolve("serve-path.log");
        Process cli = serve(
                log,
                false,
                Map.of("PATH", Launched.BIN + ":" + System.getenv("PATH"), "FASTLY_VICEROY_USE_PATH", "1"),
                "--watch");
        awaitHello(cli, log, HELLO);
        assertThat(Files.readString(log))
                .as("Pushpin and Viceroy were Outpost's")
                .contains("SUCCESS: Pushpin started.")
                .contains("INFO [Pushpin] started")
                .contains("Fanout handoffs go to the GRIP proxy on 127.0.0.1:" + proxyPort);
        throughTheEdge(log);

        // --watch: an edit makes the CLI SIGKILL Viceroy, rebuild and start it again on the same port, while a
        // client is still connected.
        HttpResponse<InputStream> held = http.send(
                HttpRequest.newBuilder(edge("/test/stream")).build(), HttpResponse.BodyHandlers.ofInputStream());
        Path source = project.resolve("src/index.js");
        Files.writeString(
                source, Files.readString(source).replace("Hello from the Compute app", "Hello again, after --watch"));
        awaitHello(cli, log, "Hello again, after --watch\n");
        held.body().close();
        aStreamGetsAPublish(log);

        ctrlC(cli, log, false);
    }

    @Test
    @Order(2)
    void withExplicitPathsRightAfterOnTheSamePortsAndCtrlCToTheGroup() throws Exception {
        Path log = tmp.resolve("serve-paths.log");
        List<String> args = new ArrayList<>(List.of(
                "--viceroy-path",
                Launched.BIN.resolve("viceroy").toString(),
                "--pushpin-path",
                Launched.BIN.resolve("pushpin").toString()));
        if (Files.isRegularFile(project.resolve("bin/main.wasm"))) {
            args.add("--skip-build");
        }
        Process cli = serve(log, true, Map.of(), args.toArray(String[]::new));
        awaitHello(
                cli,
                log,
                Files.readString(project.resolve("src/index.js")).contains("after --watch")
                        ? "Hello again, after --watch\n"
                        : HELLO);
        throughTheEdge(log);
        // Ctrl-C in a terminal: SIGINT to the whole foreground group (CLI, Viceroy and Pushpin alike).
        ctrlC(cli, log, true);
    }

    /** The Fanout handoff held until a publish, SSE and a WebSocket, all through the edge port. */
    static void throughTheEdge(Path log) throws Exception {
        aStreamGetsAPublish(log);
        serverSentEvents();
        webSocket();
    }

    static void aStreamGetsAPublish(Path log) throws Exception {
        HttpResponse<InputStream> r = http.send(
                HttpRequest.newBuilder(edge("/test/stream")).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.statusCode()).as(Launched.tail(log, 30)).isEqualTo(200);
        try (BufferedReader in = Lines.reader(r.body())) {
            CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> Lines.readLine(in), READERS);
            assertThat(publishUntil(line, "\"http-stream\":{\"content\":\"chunk\\n\"}"))
                    .isEqualTo("chunk");
        }
    }

    static void serverSentEvents() throws Exception {
        HttpResponse<InputStream> r = http.send(
                HttpRequest.newBuilder(edge("/test/sse"))
                        .header("accept", "text/event-stream")
                        .build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue("text/event-stream");
        try (BufferedReader in = Lines.reader(r.body())) {
            CompletableFuture<String> event =
                    CompletableFuture.supplyAsync(() -> Lines.nonEmptyLine(in) + "|" + Lines.readLine(in), READERS);
            assertThat(publishUntil(event, "\"http-stream\":{\"content\":\"event: note\\ndata: hi\\n\\n\"}"))
                    .isEqualTo("event: note|data: hi");
        }
    }

    static void webSocket() throws Exception {
        TextMessages messages = new TextMessages();
        WebSocket ws = http.newWebSocketBuilder()
                .connectTimeout(Duration.ofSeconds(20))
                .buildAsync(URI.create("ws://127.0.0.1:" + edgePort + "/test/websocket"), messages)
                .get(30, TimeUnit.SECONDS);
        try {
            CompletableFuture<String> first = CompletableFuture.supplyAsync(messages::take, READERS);
            assertThat(publishUntil(first, "\"ws-message\":{\"content\":\"to the socket\"}"))
                    .isEqualTo("to the socket");
            ws.sendText("echo me", true).get(10, TimeUnit.SECONDS);
            String got;
            do {
                got = messages.poll(Duration.ofSeconds(20));
            } while ("to the socket".equals(got));
            assertThat(got).isEqualTo("echo me");
        } finally {
            ws.abort();
        }
    }

    /**
     * Ctrl-C: SIGINT to the CLI (or to its whole group, as a terminal sends it). The CLI SIGKILLs Viceroy and Pushpin
     * and exits; then no process it started is alive and none of the ports accepts a connection.
     */
    static void ctrlC(Process cli, Path log, boolean toTheGroup) throws Exception {
        List<ProcessHandle> children = cli.toHandle().descendants().toList();
        assertThat(children.stream().map(p -> p.info().commandLine().orElse("")))
                .as("Viceroy and Pushpin are JVMs started right under the CLI")
                .anySatisfy(c -> assertThat(c).contains("outpost.jar", "viceroy"))
                .anySatisfy(c -> assertThat(c).contains("outpost.jar", "pushpin"));
        Launched.signal("INT", toTheGroup ? -cli.pid() : cli.pid());
        assertThat(cli.waitFor(60, TimeUnit.SECONDS))
                .as("the CLI stops on SIGINT:\n" + Launched.tail(log, 20))
                .isTrue();
        for (ProcessHandle child : children) {
            child.onExit().get(20, TimeUnit.SECONDS);
        }
        assertThat(cli.toHandle().descendants()).isEmpty();
        assertThat(Launched.released(List.of(edgePort, proxyPort, publishPort), Duration.ofSeconds(10)))
                .as("no port is left listening")
                .isTrue();
        assertThat(Files.readString(log)).contains("Local server stopped");
    }

    static URI edge(String path) {
        return URI.create("http://127.0.0.1:" + edgePort + path);
    }

    static void publish(String formats) throws Exception {
        new TestPublisher(http, publishPort).publish("test", formats);
    }

    /** Publishes until {@code done} completes: a hold only receives what is published after it subscribed. */
    static <T> T publishUntil(CompletableFuture<T> done, String formats) throws Exception {
        return new TestPublisher(http, publishPort).publishUntil(done, "test", formats, Duration.ofSeconds(30));
    }
}
