package dev.outpost.serve.standin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.serve.FanoutExample;
import dev.outpost.serve.ServeException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** bin/viceroy's server: the program with the manifest's backends, and Viceroy's answer to a handoff without Pushpin. */
@Timeout(120)
class ViceroyStandInTest {

    @TempDir
    Path dir;

    @Test
    void withoutAPushpinPortAHandoffAnswersViceroys500AndTheAppStillAnswers() throws Exception {
        Path wasm = FanoutExample.wasm();
        Path toml = dir.resolve("fastly.toml");
        Files.writeString(
                toml,
                "manifest_version = 3\n[local_server.backends.self]\nurl = \"http://127.0.0.1:1/\"\n"
                        + "[local_server.pushpin]\nenable = true\n");
        HttpClient http = HttpClient.newHttpClient();
        try (ViceroyStandIn viceroy = ViceroyStandIn.start(
                new ViceroyOptions(wasm, toml, new InetSocketAddress("127.0.0.1", 0), 0, true, "graalwasm"))) {
            // The manifest enables Pushpin, but that is the Fastly CLI's business: only the port counts here.
            HttpResponse<String> handoff = http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + viceroy.port() + "/test/stream"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(handoff.statusCode()).isEqualTo(500);
            assertThat(handoff.body()).isEqualTo("Pushpin handoff signaled, but Pushpin mode not enabled.");
            HttpResponse<String> own = http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + viceroy.port() + "/edge/hello"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(own.body()).isEqualTo("Hello from the Compute app\n");
        } finally {
            http.shutdownNow();
        }
    }

    @Test
    void aBadManifestOrProgramIsRefusedBeforeLoading() throws Exception {
        Path wasm = dir.resolve("main.wasm");
        Files.write(wasm, new byte[] {0, 'a', 's', 'm', 1, 0, 0, 0});
        Path toml = dir.resolve("fastly.toml");
        Files.writeString(toml, "manifest_version = [\n");
        InetSocketAddress any = new InetSocketAddress("127.0.0.1", 0);
        assertThatThrownBy(() -> ViceroyStandIn.start(new ViceroyOptions(wasm, toml, any, 0, true, "chicory")))
                .isInstanceOf(ServeException.class)
                .satisfies(e -> assertThat(((ServeException) e).exitCode()).isEqualTo(2))
                .hasMessageContaining(toml.toString());
        assertThatThrownBy(() -> ViceroyStandIn.start(
                        new ViceroyOptions(wasm, dir.resolve("nope.toml"), any, 0, true, "chicory")))
                .hasMessage("-C " + dir.resolve("nope.toml") + ": not found (expected: a fastly.toml)");
        Path text = dir.resolve("app.wasm");
        Files.writeString(text, "(module)");
        assertThatThrownBy(() -> ViceroyStandIn.start(new ViceroyOptions(text, null, any, 0, true, "chicory")))
                .hasMessageContaining("not a binary Wasm module");
    }
}
