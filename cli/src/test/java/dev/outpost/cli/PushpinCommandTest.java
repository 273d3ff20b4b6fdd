package dev.outpost.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code outpost pushpin} (bin/pushpin): Pushpin's command line and its usage errors; serving is tested in serve. */
class PushpinCommandTest {
    @TempDir
    Path dir;

    record Result(int code, String out, String err) {}

    static synchronized Result pushpin(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true));
            System.setErr(new PrintStream(err, true));
            CommandLine cl = PushpinCommand.commandLine();
            StringWriter picocliOut = new StringWriter();
            StringWriter picocliErr = new StringWriter();
            cl.setOut(new PrintWriter(picocliOut, true));
            cl.setErr(new PrintWriter(picocliErr, true));
            int code = cl.execute(args);
            return new Result(code, out + picocliOut.toString(), err + picocliErr.toString());
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void versionIsPushpinsFormatUnderEachOfItsSpellings() {
        for (String flag : new String[] {"--version", "-v", "-V"}) {
            Result r = pushpin(flag);
            assertThat(r.code()).isZero();
            assertThat(r.out().strip()).startsWith("pushpin 1.41.0 (Outpost ");
        }
    }

    @Test
    void helpSaysItIsOutpostAndHowToChooseTheInspector() {
        Result r = pushpin("--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("Outpost standing in for Pushpin", "--config", "OUTPOST_INSPECTOR_PORT");
    }

    @Test
    void aMissingConfigIsAnErrorNamingTheFile() {
        Path missing = dir.resolve("pushpin-1234.conf");
        Result r = pushpin("--config=" + missing, "--verbose");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("Error: " + missing + ": cannot read");
    }

    @Test
    void aBadValueInTheConfigIsAnErrorNamingKeyAndValue() throws Exception {
        Path conf = dir.resolve("pushpin.conf");
        Files.writeString(conf, "[runner]\nhttp_port=seventy\n");
        Result r = pushpin("--config", conf.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("[runner] http_port: seventy (expected: port 0-65535, or addr:port)");
    }

    @Test
    void aBadLogLevelOrOptionIsAUsageError() {
        Result level = pushpin("--loglevel", "loud");
        assertThat(level.code()).isEqualTo(2);
        assertThat(level.err()).startsWith("Error: --loglevel loud: bad value");
        Result unknown = pushpin("--frobnicate");
        assertThat(unknown.code()).isEqualTo(2);
        assertThat(unknown.err()).startsWith("Error: Unknown option: '--frobnicate'");
    }

    @Test
    void aBadPortIsNamed() {
        Result r = pushpin("--port", "nope");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("Error: --port: 'nope' (expected: PORT or ADDR:PORT, PORT 0-65535)");
    }
}
