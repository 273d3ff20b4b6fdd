package dev.outpost.serve;

import dev.outpost.edge.server.EdgeProject;
import java.nio.file.Path;

/** The example project serve's tests run: examples/fanout-starter. */
public final class FanoutExample {
    public static final Path DIR =
            Path.of("..", "examples", "fanout-starter").toAbsolutePath().normalize();

    private FanoutExample() {}

    /** The example's program, built first when the example's files differ from those of its last build. */
    public static Path wasm() throws Exception {
        // bin/.outpost-build records what the last build was made from
        ProjectBuild.run(
                EdgeProject.open(DIR, null, null), DIR.resolve("fastly.toml"), false, null, System.out, System.err);
        return DIR.resolve("bin/main.wasm");
    }
}
