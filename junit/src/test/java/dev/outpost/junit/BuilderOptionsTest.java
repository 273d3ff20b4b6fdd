package dev.outpost.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A pushpin.conf with its routes file, a signing key and the inspector, through the builder. */
@Timeout(60)
class BuilderOptionsTest {
    static final GripOrigin origin = OutpostExtensionTest.start();
    static final Path conf = writeConf();
    static final HttpClient http = HttpClient.newHttpClient();

    @RegisterExtension
    static final OutpostExtension outpost = OutpostExtension.builder()
            .pushpinConf(conf)
            .sigKey("changeme")
            .inspector(true)
            .build();

    static Path writeConf() {
        try {
            Path dir = Files.createTempDirectory("outpost-junit-");
            Files.writeString(dir.resolve("routes"), "* 127.0.0.1:" + origin.port() + "\n");
            // fixed ports in the file: the extension uses free ones anyway
            Files.writeString(dir.resolve("pushpin.conf"), """
                    [proxy]
                    routesfile=routes
                    [runner]
                    http_port=7999
                    [handler]
                    push_in_http_port=5561
                    """);
            return dir.resolve("pushpin.conf");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @AfterAll
    static void stop() {
        http.shutdownNow();
        origin.close();
    }

    @Test
    void routesFromTheConfAndRequestsSignedWithTheKey() throws Exception {
        assertThat(outpost.proxyPort()).isNotEqualTo(7999);
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(URI.create(outpost.proxyUrl() + "/sig")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.body()).isEqualTo("signed\n");
    }

    @Test
    void theInspectorServesMetrics() throws Exception {
        assertThat(outpost.inspectorUrl()).startsWith("http://127.0.0.1:");
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(URI.create(outpost.inspectorUrl() + "metrics"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
    }

    @Test
    void contradictoryOptionsAreRefused() {
        assertThatThrownBy(() -> OutpostExtension.builder()
                        .routes("* 127.0.0.1:1")
                        .serve(Path.of("app"))
                        .build())
                .hasMessageContaining("the routes come from the project's fastly.toml");
        assertThatThrownBy(() -> OutpostExtension.builder().logLines(0)).hasMessageContaining("logLines: 0");
    }
}
