package dev.outpost.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.testkit.FreePorts;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code outpost serve --addr} elsewhere than 7676 with a manifest whose {@code self} backend says
 * {@code localhost:7676}, as the examples' do: the proxy's route to {@code self} follows the app to its address (the
 * handoffs come back to this app, not to whatever holds 7676), and the banner says so (issue #18).
 */
@Timeout(120)
class ServeAddrTest {
    @TempDir
    Path dir;

    @Test
    void theSelfRouteFollowsTheAppToItsAddressAndTheBannerSaysSo() throws Exception {
        Path wasm = FanoutExample.wasm();
        Path manifest = dir.resolve("fastly.toml");
        Files.writeString(
                manifest,
                String.join(
                        "\n",
                        "manifest_version = 3",
                        "name = \"addr-test\"",
                        "[local_server.pushpin]",
                        "enable = true",
                        "proxy_port = " + FreePorts.port(),
                        "publish_port = " + FreePorts.port(),
                        "[local_server.backends.self]",
                        "url = \"http://localhost:7676/\"",
                        "override_host = \"localhost:7676\"",
                        "[local_server.backends.origin]",
                        "url = \"http://localhost:3000/\"",
                        ""));
        int edgePort = FreePorts.port();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        HttpClient http =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        try (ServeSession s = ServeSession.start(
                ServeOptions.builder(FanoutExample.DIR)
                        .manifest(manifest)
                        .address(new InetSocketAddress("127.0.0.1", edgePort))
                        .wasm(wasm)
                        .engine("graalwasm")
                        .inspectorPort("off")
                        .build(),
                new PrintStream(out, true, StandardCharsets.UTF_8),
                System.err)) {
            assertThat(s.routeLines())
                    .containsExactly(
                            "id=self localhost:" + edgePort + ",over_http,host=localhost:" + edgePort,
                            "id=origin localhost:3000,over_http,host=localhost:3000");
            assertThat(out.toString(StandardCharsets.UTF_8))
                    .contains("  routes     id=self localhost:" + edgePort + ",over_http,host=localhost:" + edgePort)
                    .contains("  note       route 'self' goes to this app on port " + edgePort
                            + " (fastly.toml: localhost:7676, the default --addr); the app's own requests to backend"
                            + " 'self' still go there");
            // Handed off to the proxy, which asks the app again through the route: the app answers 404 itself.
            HttpResponse<String> handedOff = http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edgePort + "/test/nothing-here"))
                            .timeout(Duration.ofSeconds(30))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(handedOff.statusCode()).isEqualTo(404);
            assertThat(handedOff.body()).isEqualTo("No such test endpoint\n");
        } finally {
            http.shutdownNow();
        }
    }
}
