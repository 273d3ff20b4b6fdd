package dev.outpost.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code outpost pushpin} (bin/pushpin): Pushpin's command line and its usage errors; serving is tested in serve. */
class PushpinCommandTest {
    @TempDir
    Path dir;

    static CommandOutput pushpin(String... args) {
        return CommandOutput.run(PushpinCommand::commandLine, args);
    }

    @Test
    void versionIsPushpinsFormatUnderEachOfItsSpellings() {
        for (String flag : new String[] {"--version", "-v", "-V"}) {
            CommandOutput r = pushpin(flag);
            assertThat(r.code()).isZero();
            assertThat(r.out().strip()).startsWith("pushpin 1.41.0 (Outpost ");
        }
    }

    @Test
    void helpSaysItIsOutpostAndHowToChooseTheInspector() {
        CommandOutput r = pushpin("--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("Outpost standing in for Pushpin", "--config", "OUTPOST_INSPECTOR_PORT");
    }

    @Test
    void aMissingConfigIsAnErrorNamingTheFile() {
        Path missing = dir.resolve("pushpin-1234.conf");
        CommandOutput r = pushpin("--config=" + missing, "--verbose");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("Error: " + missing + ": cannot read");
    }

    @Test
    void aBadValueInTheConfigIsAnErrorNamingKeyAndValue() throws Exception {
        Path conf = dir.resolve("pushpin.conf");
        Files.writeString(conf, "[runner]\nhttp_port=seventy\n");
        CommandOutput r = pushpin("--config", conf.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("[runner] http_port: seventy (expected: port 0-65535, or addr:port)");
    }

    @Test
    void aBadLogLevelOrOptionIsAUsageError() {
        CommandOutput level = pushpin("--loglevel", "loud");
        assertThat(level.code()).isEqualTo(2);
        assertThat(level.err()).startsWith("Error: --loglevel loud: bad value");
        CommandOutput unknown = pushpin("--frobnicate");
        assertThat(unknown.code()).isEqualTo(2);
        assertThat(unknown.err()).startsWith("Error: Unknown option: '--frobnicate'");
    }

    @Test
    void aBadPortIsNamed() {
        CommandOutput r = pushpin("--port", "nope");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("Error: --port: 'nope' (expected: PORT or ADDR:PORT, PORT 0-65535)");
    }
}
