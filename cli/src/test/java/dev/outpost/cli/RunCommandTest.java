package dev.outpost.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code outpost run} (as {@code viceroy run}) and the serve command's usage, through the real command line. */
@Timeout(120)
class RunCommandTest {
    record Result(int code, String out, String err) {}

    static synchronized Result outpost(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true));
            System.setErr(new PrintStream(err, true));
            int code = Main.newCommandLine().execute(args);
            return new Result(code, out.toString(), err.toString());
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void runsStartOnceWithTheGuestsOutputPassedThrough() throws Exception {
        Path wasm = Path.of("..", "examples", "fanout-starter", "bin", "main.wasm");
        if (!Files.isRegularFile(wasm)) {
            dev.outpost.serve.ProjectBuild.run(
                    dev.outpost.edge.server.EdgeProject.open(Path.of("..", "examples", "fanout-starter"), null, null),
                    System.out,
                    System.err);
        }
        Result r = outpost("run", "--engine", "chicory", wasm.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("FASTLY_SERVICE_VERSION: 0");
    }

    @Test
    void aMissingProgramIsAUsageError() {
        Result r = outpost("run", "nope.wasm");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("outpost: wasm: nope.wasm: not found (expected: a Wasm program)");
    }

    @Test
    void serveListsTheFastlyCliOptions() {
        Result r = outpost("serve", "--help");
        assertThat(r.code()).isZero();
        assertThat(r.out())
                .contains(
                        "[DIR]",
                        "--config",
                        "--addr",
                        "--file",
                        "--skip-build",
                        "--engine",
                        "--experimental-enable-pushpin",
                        "--pushpin-proxy-port",
                        "--pushpin-publish-port",
                        "--pushpin-path",
                        "--watch",
                        "127.0.0.1:7676");
    }

    @Test
    void serveRejectsABadAddressWithExitCode2() {
        Result r = outpost("serve", "--addr", "7676", "--skip-build", ".");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--addr: 7676 (expected: HOST:PORT, e.g. 127.0.0.1:7676)");
    }

    @Test
    void serveShowsTheEdgeLimitsWithTheirDefaults() {
        Result r = outpost("serve", "--help");
        assertThat(r.out())
                .contains(
                        "--max-guests=N",
                        "Default: 8.",
                        "--guest-queue=N",
                        "Default: 256.",
                        "--memory-limit=SIZE",
                        "Default: 512MiB.",
                        "--request-body-buffer=SIZE",
                        "--handoff-body-limit=SIZE",
                        "--guest-time-limit=SECONDS",
                        "docs/limits.md");
        assertThat(outpost("run", "--help").out()).contains("--memory-limit=SIZE");
    }

    @Test
    void badLimitsAreUsageErrorsNamingTheOption() {
        Result zero = outpost("serve", "--max-guests", "0", "--skip-build", ".");
        assertThat(zero.code()).isEqualTo(2);
        assertThat(zero.err()).contains("--max-guests: 0 (expected: at least 1)");
        Result time = outpost("serve", "--guest-time-limit", "0", "--skip-build", ".");
        assertThat(time.code()).isEqualTo(2);
        assertThat(time.err()).contains("--guest-time-limit: 0 (expected: at least 1 second)");
        Result size = outpost("serve", "--memory-limit", "lots", "--skip-build", ".");
        assertThat(size.code()).isEqualTo(2);
        assertThat(size.err()).contains("'lots' is not a size (expected: bytes, or a number with KiB, MiB or GiB");
        Result tiny = outpost("run", "--memory-limit", "1KiB", "nope.wasm");
        assertThat(tiny.code()).isEqualTo(2);
        assertThat(tiny.err()).contains("--memory-limit: 1024 bytes (expected: at least 1MiB)");
    }
}
