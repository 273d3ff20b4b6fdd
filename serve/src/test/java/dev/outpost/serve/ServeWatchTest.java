package dev.outpost.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.outpost.edge.cache.CacheKey;
import dev.outpost.edge.cache.CacheWrite;
import dev.outpost.edge.cache.CollectedBody;
import dev.outpost.edge.sandbox.HeaderList;
import dev.outpost.testkit.FreePorts;
import dev.outpost.testkit.Lines;
import dev.outpost.testkit.TestPublisher;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve --watch} and {@code serve} without Fanout, on a copy of the example project whose build script copies
 * the example's program.
 */
@Timeout(120)
class ServeWatchTest {
    @TempDir
    Path dir;

    private Path project(boolean fanout, int edgePort, int proxyPort, int publishPort) throws Exception {
        Path wasm = FanoutExample.wasm();
        Files.createDirectories(dir.resolve("src"));
        Files.writeString(dir.resolve("src/index.js"), "// stands in for the sources\n");
        Files.writeString(dir.resolve("fastly.toml"), manifest(fanout, edgePort, proxyPort, publishPort, ""));
        return wasm;
    }

    private String manifest(boolean fanout, int edgePort, int proxyPort, int publishPort, String extra) {
        Path wasm = FanoutExample.DIR.resolve("bin/main.wasm");
        return String.join(
                "\n",
                "[scripts]",
                "build = \"mkdir -p bin && cp '" + wasm + "' bin/main.wasm\"",
                "[local_server.pushpin]",
                "enable = " + fanout,
                "proxy_port = " + proxyPort,
                "publish_port = " + publishPort,
                "[local_server.backends.self]",
                "url = \"http://localhost:" + edgePort + "/\"",
                extra,
                "");
    }

    /** Serves the project in {@code dir} on {@code edgePort}, with the options {@code options} sets. */
    private ServeSession serve(int edgePort, UnaryOperator<ServeOptions.Builder> options, ByteArrayOutputStream out)
            throws ServeException {
        return ServeSession.start(
                options.apply(ServeOptions.builder(dir).address(new InetSocketAddress("127.0.0.1", edgePort)))
                        .build(),
                new PrintStream(out, true),
                System.err);
    }

    private static HttpClient http() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    @Test
    void watchRebuildsReloadsAndRegeneratesRoutesWhileAStreamStaysOpen() throws Exception {
        int edgePort = FreePorts.port();
        int proxyPort = FreePorts.port();
        int publishPort = FreePorts.port();
        project(true, edgePort, proxyPort, publishPort);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ExecutorService readers = Executors.newVirtualThreadPerTaskExecutor();
        try (HttpClient http = http();
                ServeSession session = serve(edgePort, b -> b.watch(true), out)) {
            assertThat(out.toString()).contains("Building the app in " + dir, "Watching " + dir);
            HttpResponse<InputStream> stream = http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edgePort + "/test/stream"))
                            .build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            assertThat(stream.statusCode()).isEqualTo(200);
            // An object in the app's cache outlives the reload (--clear-cache-on-reload would empty it).
            var cache = session.edge().cache().store();
            var key = CacheKey.core(new byte[] {1});
            cache.insert(
                    key,
                    new HeaderList(),
                    CacheWrite.ofMaxAge(Duration.ofMinutes(5).toNanos()),
                    CollectedBody.of(new byte[] {42}));

            // What js-compute-runtime does during every build: a file in the project folder, moved away. No change
            // of the project's files, so no rebuild (once it looped: every build triggered the next, issue #18).
            Files.writeString(dir.resolve("__input_bundled.js"), "// bundled");
            Files.delete(dir.resolve("__input_bundled.js"));
            Thread.sleep(2500); // past the watcher's second of quiet: the event is handled on its own

            Files.writeString(
                    dir.resolve("fastly.toml"),
                    manifest(
                            true,
                            edgePort,
                            proxyPort,
                            publishPort,
                            "[local_server.backends.extra]\nurl = \"http://127.0.0.1:9/\"\n"));
            await().atMost(Duration.ofSeconds(60)).until(() -> out.toString().contains("Reloaded "));
            assertThat(session.routeLines())
                    .containsExactly(
                            "id=self localhost:" + edgePort + ",over_http,host=localhost:" + edgePort,
                            "id=extra 127.0.0.1:9,over_http");
            assertThat(out.toString())
                    .contains(
                            "Routes regenerated from",
                            "Change detected (fastly.toml): rebuilding.",
                            "the cache was kept.");
            assertThat(out.toString().split("Change detected", -1)).hasSize(2);
            assertThat(out.toString()).doesNotContain("__input_bundled.js");
            assertThat(cache.lookup(key, new HeaderList()).found()).isNotNull();

            // The stream opened before the reload still receives publishes.
            try (BufferedReader in = Lines.reader(stream.body())) {
                CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> Lines.readLine(in), readers);
                String published = new TestPublisher(http, publishPort)
                        .publishUntil(
                                line,
                                "test",
                                "\"http-stream\":{\"content\":\"after reload\\n\"}",
                                Duration.ofSeconds(20));
                assertThat(published).isEqualTo("after reload");
            }
            // New requests run the reloaded program.
            HttpResponse<String> hello = http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edgePort + "/edge/hello"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(hello.body()).isEqualTo("Hello from the Compute app\n");
        } finally {
            readers.shutdownNow();
        }
    }

    @Test
    void theProgramABuildReplacesIsServedAsBuiltNotAsItWasPreloaded() throws Exception {
        int edgePort = FreePorts.port();
        project(false, edgePort, 7677, 5561);
        // What the folder held before this build: loaded ahead while the build runs, then dropped for the new one.
        Files.createDirectories(dir.resolve("bin"));
        Files.writeString(dir.resolve("bin/main.wasm"), "left over from an older build, not a program");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (HttpClient http = http();
                ServeSession session = serve(edgePort, b -> b, out)) {
            assertThat(out.toString()).contains("Built in");
            assertThat(session.edgePort()).isEqualTo(edgePort);
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edgePort + "/edge/hello"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("Hello from the Compute app\n");
        }
    }

    @Test
    void aHandoffWithoutFanoutIsViceroys500() throws Exception {
        int edgePort = FreePorts.port();
        Path wasm = project(false, edgePort, 7677, 5561);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (HttpClient http = http();
                ServeSession session = serve(edgePort, b -> b.wasm(wasm), out)) {
            assertThat(session.fanout().enabled()).isFalse();
            assertThat(out.toString()).contains("fanout     off").doesNotContain("Building");
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edgePort + "/test/stream"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(500);
            assertThat(r.body()).isEqualTo("Pushpin handoff signaled, but Pushpin mode not enabled.");
        }
    }
}
