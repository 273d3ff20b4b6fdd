package dev.outpost.cli;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** What the integration tests need around launched programs: the repository, signals, ports, logs. */
final class Launched {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final Path BIN = ROOT.resolve("bin");
    static final Path JAR = ROOT.resolve("cli/target/outpost.jar");

    private Launched() {}

    /** Sends {@code signal} (e.g. INT, KILL) to a process, or to a process group when {@code pid} is negative. */
    static void signal(String signal, long pid) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, "--", Long.toString(pid))
                .redirectErrorStream(true)
                .start();
        String out = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (kill.waitFor() != 0) {
            throw new IOException("kill -" + signal + " " + pid + ": " + out.strip());
        }
    }

    /** Whether something accepts connections on 127.0.0.1:{@code port}. */
    static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Waits until none of {@code ports} accepts connections; false when one still does after {@code timeout}. */
    static boolean released(List<Integer> ports, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (ports.stream().noneMatch(Launched::listening)) {
                return true;
            }
            Thread.sleep(100);
        }
        return false;
    }

    /** The last lines of a log file, for assertion messages. */
    static String tail(Path log, int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** Kills a process and everything under it that is still alive (a failed test must not leave them behind). */
    static void killTree(ProcessHandle root) {
        root.descendants().forEach(ProcessHandle::destroyForcibly);
        root.destroyForcibly();
    }
}
