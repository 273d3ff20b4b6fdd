package dev.outpost.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.outpost.testkit.FreePorts;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/pushpin and bin/viceroy as processes, the way the Fastly CLI treats them: the process it starts is the JVM
 * itself (no wrapper left behind by a SIGKILL), Pushpin's readiness line comes only once its ports accept
 * connections, and after a SIGKILL the same ports can be served again at once.
 */
class LaunchersIT {
    @TempDir
    Path dir;

    private final List<Process> started = new ArrayList<>();

    @BeforeAll
    static void jarBuilt() {
        assumeTrue(Files.isRegularFile(Launched.JAR), Launched.JAR + " is not built (mvn package)");
    }

    @AfterEach
    void killLeftovers() {
        started.forEach(p -> Launched.killTree(p.toHandle()));
    }

    /** A started launcher with its stdout lines in a queue. */
    private record Run(Process process, BlockingQueue<String> lines) {
        String lineEndingWith(String end, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                String line = lines.poll(200, TimeUnit.MILLISECONDS);
                if (line != null && line.endsWith(end)) {
                    return line;
                }
                if (line == null && !process.isAlive() && lines.isEmpty()) {
                    throw new AssertionError(
                            "exited with " + process.exitValue() + " before a line ending in '" + end + "'");
                }
            }
            throw new AssertionError("no line ending in '" + end + "' within " + timeout);
        }
    }

    private Run launch(String launcher, String... args) throws IOException {
        List<String> command =
                new ArrayList<>(List.of(Launched.BIN.resolve(launcher).toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.environment().put("OUTPOST_SKIP_BUILD", "1");
        pb.environment().put("OUTPOST_INSPECTOR_PORT", "off");
        Process p = pb.start();
        started.add(p);
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread.ofVirtual().start(() -> {
            try (BufferedReader in =
                    new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    System.out.println("[" + launcher + "] " + line);
                    lines.add(line);
                }
            } catch (IOException e) {
                // ended
            }
        });
        return new Run(p, lines);
    }

    /** The process the launcher started as is the JVM (exec), with no process of its own under it. */
    private static void isTheJvmItself(Process p) {
        assertThat(p.toHandle().info().command())
                .hasValueSatisfying(c -> assertThat(c).endsWith("/java"));
        assertThat(p.toHandle().children()).isEmpty();
    }

    private Path conf(int proxyPort, int publishPort) throws IOException {
        Path routes = dir.resolve("routes");
        Files.writeString(routes, "id=self localhost:1,over_http\n");
        Path conf = dir.resolve("pushpin.conf");
        Files.writeString(
                conf,
                String.join(
                        "\n",
                        "[global]",
                        "include={libdir}/internal.conf",
                        "rundir=" + dir.resolve("run-that-does-not-exist"),
                        "[runner]",
                        "services=connmgr,proxy,handler",
                        "http_port=" + proxyPort,
                        "logdir=" + dir.resolve("logs-that-do-not-exist"),
                        "[proxy]",
                        "routesfile=" + routes,
                        "accept_pushpin_route=true",
                        "sig_iss=viceroy",
                        "sig_key=viceroy_dev_signing_key_dont_use_in_production",
                        "[handler]",
                        "push_in_spec=tcp://127.0.0.1:" + (publishPort + 1),
                        "push_in_http_addr=0.0.0.0",
                        "push_in_http_port=" + publishPort,
                        ""));
        return conf;
    }

    @Test
    void pushpinSaysStartedOnlyWhenListeningAndServesTheSamePortsAgainRightAfterASigkill() throws Exception {
        int proxyPort = FreePorts.port();
        int publishPort = FreePorts.range(4);
        Path conf = conf(proxyPort, publishPort);

        Run first = launch("pushpin", "--config=" + conf, "--verbose");
        String ready = first.lineEndingWith("started", Duration.ofSeconds(120));
        // Checked at once, as the Fastly CLI goes on one second after this line.
        assertThat(Launched.listening(proxyPort))
                .as("proxy port when '" + ready + "' was printed")
                .isTrue();
        assertThat(Launched.listening(publishPort)).as("publish port").isTrue();
        assertThat(ready).matches("\\[INFO] \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} started");
        isTheJvmItself(first.process());

        // A connection open when the SIGKILL comes leaves the server side of it behind in TIME_WAIT.
        try (Socket open = new Socket("127.0.0.1", proxyPort)) {
            open.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            Launched.signal("KILL", first.process().pid());
            assertThat(first.process().waitFor(10, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(Launched.released(List.of(proxyPort, publishPort), Duration.ofSeconds(5)))
                .isTrue();

        Run second = launch("pushpin", "--config=" + conf, "--verbose");
        second.lineEndingWith("started", Duration.ofSeconds(120));
        assertThat(Launched.listening(proxyPort)).isTrue();
        Launched.signal("KILL", second.process().pid());
        assertThat(second.process().waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(Launched.released(List.of(proxyPort, publishPort), Duration.ofSeconds(5)))
                .isTrue();
    }

    @Test
    void viceroyIsTheJvmItselfAndServesTheSamePortAgainRightAfterASigkill() throws Exception {
        Path wasm = dir.resolve("empty.wasm");
        Files.write(wasm, new byte[] {0, 'a', 's', 'm', 1, 0, 0, 0});
        int port = FreePorts.port();
        String[] args = {"-v", "--addr", "127.0.0.1:" + port, wasm.toString(), "--engine=chicory"};

        Run first = launch("viceroy", args);
        assertThat(first.lineEndingWith("Listening on http://127.0.0.1:" + port, Duration.ofSeconds(120)))
                .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z  INFO Listening on http://.*");
        isTheJvmItself(first.process());
        try (Socket open = new Socket("127.0.0.1", port)) {
            open.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            Launched.signal("KILL", first.process().pid());
            assertThat(first.process().waitFor(10, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(Launched.released(List.of(port), Duration.ofSeconds(5))).isTrue();

        // What `fastly compute serve --watch` does after a change: the same command, at once.
        Run second = launch("viceroy", args);
        second.lineEndingWith("Listening on http://127.0.0.1:" + port, Duration.ofSeconds(120));
        Launched.signal("KILL", second.process().pid());
        assertThat(second.process().waitFor(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void outpostVersionIsTheJarsAnswerKeptInAFileForTheNextCalls() throws Exception {
        List<String> answers = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            ProcessBuilder pb = new ProcessBuilder(
                            Launched.ROOT.resolve("outpost").toString(), "--version")
                    .redirectError(ProcessBuilder.Redirect.INHERIT);
            pb.environment().put("OUTPOST_SKIP_BUILD", "1");
            Process p = pb.start();
            started.add(p);
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isZero();
            answers.add(out);
        }
        assertThat(answers.get(0)).startsWith("outpost ").contains("\nJava ");
        assertThat(answers.get(1)).isEqualTo(answers.get(0));
        try (var files = Files.list(Launched.JAR.getParent())) {
            assertThat(files.filter(f -> f.getFileName().toString().startsWith("version-")))
                    .anySatisfy(f -> assertThat(Files.readString(f)).isEqualTo(answers.get(0)));
        }
    }

    @Test
    void viceroyVersionIsWhatTheFastlyCliParses() throws Exception {
        Run run = launch("viceroy", "--version");
        assertThat(run.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(run.process().exitValue()).isZero();
        assertThat(run.lineEndingWith(")", Duration.ofSeconds(5))).startsWith("viceroy 0.14.4 (Outpost ");
    }
}
