package dev.outpost.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ServeCommandTest {
    @Test
    void serveRejectsABadValueWithExitCode2() {
        RunCommandTest.Result r = RunCommandTest.outpost(
                "serve",
                "--inspector-port",
                "nope",
                Path.of("..", "examples", "fanout-starter").toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err())
                .isEqualTo("outpost: --inspector-port: 'nope' (expected: PORT or ADDR:PORT, PORT 0-65535," + " or off)"
                        + System.lineSeparator());
    }

    @Test
    void serveRejectsABadCacheSizeWithExitCode2() {
        RunCommandTest.Result r = RunCommandTest.outpost(
                "serve",
                "--cache-size",
                "lots",
                Path.of("..", "examples", "fanout-starter").toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err())
                .isEqualTo("outpost: --cache-size: lots (expected: a size such as 64m, 512k or 1g)"
                        + System.lineSeparator());
    }
}
