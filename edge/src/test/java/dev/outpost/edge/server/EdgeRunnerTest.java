package dev.outpost.edge.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.edge.config.LocalServerConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class EdgeRunnerTest {
    @Test
    void runsStartOnceWithAPlaceholderRequest() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        EdgeRunner.Result result = EdgeRunner.run(
                TestApps.wasm("hello"),
                List.of(),
                "graalwasm",
                LocalServerConfig.empty(),
                new PrintStream(out, true, StandardCharsets.UTF_8),
                System.err);
        assertThat(result.exitCode()).isZero();
        assertThat(result.status()).isEqualTo(200);
        assertThat(result.trap()).isNull();
    }

    @Test
    void aProjectReadsItsManifestAndDefaultsToBinMainWasm(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("fastly.toml"), """
        name = "demo"
        [scripts]
        build = "npm run build"
        [local_server.backends.origin]
        url = "http://127.0.0.1:9/"
        """);
        EdgeProject project = EdgeProject.open(dir, null, null);
        assertThat(project.wasm()).isEqualTo(dir.resolve("bin/main.wasm"));
        assertThat(project.buildScript()).isEqualTo("npm run build");
        assertThat(project.config().localServer().backends()).containsKey("origin");
        assertThat(EdgeProject.open(dir.resolve("empty"), null, null).localServer())
                .isEqualTo(LocalServerConfig.empty());
    }
}
