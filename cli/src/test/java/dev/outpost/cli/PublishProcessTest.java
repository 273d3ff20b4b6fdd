package dev.outpost.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code outpost publish} as a process of its own, started the way the launcher starts it ({@link Main#main}, with
 * the lean start that leaves logging and Netty's extras out), and the launcher's start-up training: what they print is
 * all the user sees, so no line of a logging library may slip in.
 */
@Timeout(60)
class PublishProcessTest {
    static HttpServer endpoint;
    static final List<String> bodies = new CopyOnWriteArrayList<>();

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() throws IOException {
        endpoint = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        endpoint.createContext("/publish/", exchange -> {
            bodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            byte[] ok = "Published\n".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, ok.length);
            exchange.getResponseBody().write(ok);
            exchange.close();
        });
        endpoint.start();
    }

    @AfterAll
    static void stop() {
        endpoint.stop(0);
    }

    record Ran(int code, String out, String err) {}

    Ran java(String mainClass, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                mainClass));
        cmd.addAll(List.of(args));
        Path out = tmp.resolve("out");
        Path err = tmp.resolve("err");
        Process p = new ProcessBuilder(cmd)
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        if (!p.waitFor(50, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(mainClass + " did not end within 50 s");
        }
        return new Ran(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    @Test
    void publishesAndPrintsOnlyItsOutcome() throws Exception {
        String spec = "http://127.0.0.1:" + endpoint.getAddress().getPort();
        Ran r = java(Main.class.getName(), "publish", "--spec", spec, "news", "hello");
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).isEqualTo("Published" + System.lineSeparator());
        assertThat(r.code()).isZero();
        assertThat(bodies).anySatisfy(b -> assertThat(b).contains("\"channel\":\"news\""));
    }

    @Test
    void anUnreachableEndpointIsReportedWithoutLogLines() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        Ran r = java(Main.class.getName(), "publish", "--spec", "http://127.0.0.1:" + closed, "news", "hello");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(r.err())
                .startsWith("outpost: cannot reach the publish endpoint")
                .doesNotContain("SLF4J", "WARN");
    }

    @Test
    void theStartUpTrainingRunsEveryStepAsExpected() throws Exception {
        Ran r = java(StartupTraining.class.getName());
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).isEmpty();
        assertThat(r.code()).isZero();
    }
}
