package dev.outpost.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** SIGTERM and SIGINT stop {@code outpost proxy} normally: exit code 0, as its help says (issue 16, item 10). */
@Timeout(120)
class StopSignalTest {

    @ParameterizedTest
    @ValueSource(strings = {"TERM", "INT"})
    void aSignalIsANormalStop(String signal) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(
                        java,
                        "-cp",
                        System.getProperty("java.class.path"),
                        Main.class.getName(),
                        "proxy",
                        "--port",
                        "0",
                        "--publish-port",
                        "0",
                        "--inspector-port",
                        "off")
                .redirectErrorStream(true)
                .start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = out.readLine()) != null && !line.contains("GRIP proxy")) {
                // start-up lines
            }
            assertThat(line).as("the banner").isNotNull();
            Process kill = new ProcessBuilder(List.of("kill", "-" + signal, Long.toString(p.pid()))).start();
            assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("stopped").isTrue();
            assertThat(p.exitValue()).isZero();
        } finally {
            p.destroyForcibly();
        }
    }
}
