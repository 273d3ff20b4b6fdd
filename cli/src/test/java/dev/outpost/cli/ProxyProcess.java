package dev.outpost.cli;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An {@code outpost proxy} JVM started from the tests' class path on ports the system picks, and the ports its banner
 * names ({@code client}, {@code publish}, {@code inspector}). Its output is read to the end on a thread of its own, so
 * it never blocks on a full pipe.
 */
record ProxyProcess(Process process, Map<String, Integer> ports) {
    private static final Pattern LISTENER = Pattern.compile("^  (\\w+) +http://[^:]+:(\\d+)/");

    /** {@code outpost proxy} with any port on 127.0.0.1 for clients and publishing, then {@code args}. */
    static ProxyProcess start(String... args) throws Exception {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                cp,
                Main.class.getName(),
                "proxy",
                "--port",
                "127.0.0.1:0",
                "--publish-port",
                "127.0.0.1:0"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        CompletableFuture<Map<String, Integer>> banner = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name("proxy-output").start(() -> read(p, banner));
        try {
            return new ProxyProcess(p, banner.get(60, TimeUnit.SECONDS));
        } catch (Exception e) {
            p.destroyForcibly();
            throw e;
        }
    }

    /** The port the banner names for {@code listener}, or -1 when it names none (a listener turned off). */
    int port(String listener) {
        return ports.getOrDefault(listener, -1);
    }

    private static void read(Process p, CompletableFuture<Map<String, Integer>> banner) {
        Map<String, Integer> found = new HashMap<>();
        StringBuilder seen = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (banner.isDone()) {
                    continue;
                }
                seen.append(line).append('\n');
                Matcher m = LISTENER.matcher(line);
                if (m.find()) {
                    found.put(m.group(1), Integer.parseInt(m.group(2)));
                } else if (line.startsWith("  routes")) {
                    banner.complete(Map.copyOf(found));
                }
            }
        } catch (Exception e) {
            // the process ended
        }
        banner.completeExceptionally(new AssertionError("outpost proxy exited before its banner:\n" + seen));
    }
}
