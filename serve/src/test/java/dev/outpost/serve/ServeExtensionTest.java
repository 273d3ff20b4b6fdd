package dev.outpost.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.junit.OutpostExtension;
import dev.outpost.junit.OutpostExtensionBuilder;
import dev.outpost.testkit.Lines;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code OutpostExtension.serve}: the Fanout starter (examples/fanout-starter) on free ports, its {@code self}
 * backend following the Compute server there; a stream through the edge gets a publish. Here rather than in the
 * junit module, which reaches serve by reflection and so has no dependency on it (docs/adr/0010).
 */
@Timeout(180)
class ServeExtensionTest {
    static final Path EXAMPLE = FanoutExample.DIR;
    static final HttpClient http = HttpClient.newHttpClient();

    @RegisterExtension
    static final OutpostExtension outpost = serveExample();

    /** Builds the example only when its program is missing or older than its source. */
    static OutpostExtension serveExample() {
        OutpostExtensionBuilder b = OutpostExtension.builder().serve(EXAMPLE);
        try {
            Path wasm = EXAMPLE.resolve("bin/main.wasm");
            if (Files.isRegularFile(wasm)
                    && Files.getLastModifiedTime(wasm)
                                    .compareTo(Files.getLastModifiedTime(EXAMPLE.resolve("src/index.js")))
                            >= 0) {
                b.skipBuild();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return b.build();
    }

    @AfterAll
    static void stop() {
        http.shutdownNow();
    }

    @Test
    void aStreamThroughTheEdgeGetsThePublish() throws Exception {
        assertThat(outpost.edgeUrl()).isNotEqualTo(outpost.proxyUrl());
        HttpResponse<InputStream> r = http.send(
                HttpRequest.newBuilder(URI.create(outpost.edgeUrl() + "/test/stream"))
                        .build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.statusCode()).isEqualTo(200);
        try (BufferedReader in = Lines.reader(r.body())) {
            outpost.awaitSubscribers("test", 1, Duration.ofSeconds(60));
            outpost.publisher().publishHttpStream("test", "through the edge\n");
            String line;
            do {
                line = in.readLine();
            } while (line != null && !line.equals("through the edge"));
            assertThat(line).isEqualTo("through the edge");
        }
    }
}
