package dev.outpost.bench.edge;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./outpost serve} in a process of its own, started the way a user starts it (the launcher script, its JVM
 * flags). Keeps every output line with the time it arrived; reads the JVM's memory and CPU time from {@code /proc}.
 */
final class Serve implements AutoCloseable {
    /** The last line of the banner. */
    static final String BANNER_END = "Ctrl-C stops.";

    private final Process process;
    private final long launched = System.nanoTime();
    private final List<Line> lines = new CopyOnWriteArrayList<>();
    final int port;
    final String engine;

    record Line(long nanos, String text) {}

    private Serve(Process process, int port, String engine, Path log) throws IOException {
        this.process = process;
        this.port = port;
        this.engine = engine;
        PrintWriter out = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8), true);
        Thread.ofPlatform().daemon().name("serve-output").start(() -> {
            try (var in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    lines.add(new Line(System.nanoTime(), line));
                    out.println(line);
                }
            } catch (IOException e) {
                // process gone
            } finally {
                out.close();
            }
        });
    }

    /** Given with {@code --serve-arg}: added to every start. */
    static final List<String> EXTRA_ARGS = new ArrayList<>();

    /**
     * Starts {@code ./outpost serve PROJECT --addr 127.0.0.1:PORT --engine ENGINE ARGS... EXTRA_ARGS...}; {@code engine}
     * {@code graalwasm-interp} is GraalWasm with {@code OUTPOST_JIT=0}.
     */
    static Serve start(
            Path repo, Path project, String engine, int port, List<String> args, Map<String, String> env, Path log)
            throws IOException {
        List<String> command = new ArrayList<>(List.of(
                repo.resolve("outpost").toString(),
                "serve",
                project.toString(),
                "--addr",
                "127.0.0.1:" + port,
                "--engine",
                engine.equals("graalwasm-interp") ? "graalwasm" : engine));
        command.addAll(args);
        command.addAll(EXTRA_ARGS);
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("OUTPOST_SKIP_BUILD", "1");
        if (engine.equals("graalwasm-interp")) {
            pb.environment().put("OUTPOST_JIT", "0");
        }
        pb.environment().putAll(env);
        return new Serve(pb.start(), port, engine, log);
    }

    /** Waits for an output line containing {@code text}; returns when it arrived, in ns since launch. */
    long await(String text, Duration timeout) throws IOException {
        return awaitAfter(text, 0, timeout);
    }

    /** As {@link #await}, for lines after the {@code after}-th. */
    long awaitAfter(String text, int after, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (int i = after; i < lines.size(); i++) {
                Line l = lines.get(i);
                if (l.text().contains(text)) {
                    return l.nanos() - launched;
                }
            }
            if (!process.isAlive()) {
                throw new IOException("outpost serve exited (" + process.exitValue() + ") before printing '" + text
                        + "'; its output:\n" + tail(30));
            }
            sleep(5);
        }
        throw new IOException(
                "outpost serve did not print '" + text + "' within " + timeout.toSeconds() + " s:\n" + tail(30));
    }

    int lineCount() {
        return lines.size();
    }

    long launched() {
        return launched;
    }

    String tail(int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = Math.max(0, lines.size() - n); i < lines.size(); i++) {
            sb.append("  | ").append(lines.get(i).text()).append('\n');
        }
        return sb.toString();
    }

    long pid() {
        return process.pid();
    }

    /** Resident memory of the JVM, in MiB (the launcher execs java, so the pid is the JVM's). */
    double rssMib() {
        return Proc.rssKib(process.pid()) / 1024.0;
    }

    /** CPU time the JVM used so far (all threads), in ms. */
    long cpuMillis() {
        return Proc.cpuMillis(process.pid());
    }

    /** CPU ms per thread group (guest threads, Truffle compiler, C1/C2, GC, ...) so far. */
    TreeMap<String, Long> cpuByThread() {
        return Proc.cpuByThreadGroup(process.pid());
    }

    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            // A serve that records for the JVM's AOT cache writes it as it exits: give it time.
            if (!process.waitFor(3, TimeUnit.MINUTES)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
