package dev.outpost.bench.edge;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Two configurations of {@code ./outpost serve} side by side (for development: {@code --scenarios ab --a NAME=VALUE
 * --b NAME=VALUE}): both started at once, then each request sent to both at the same moment, so whatever else loads
 * the machine loads both alike and neither waits idle while the other works. Reports latency and the request threads'
 * CPU time per window of requests.
 */
final class AB {
    private final Main m;

    AB(Main m) {
        this.m = m;
    }

    void run() throws IOException {
        String app = m.o.abApp;
        List<String> paths = m.o.abPaths;
        Map<String, String> envA = new HashMap<>(m.o.env);
        envA.putAll(m.o.abA);
        Map<String, String> envB = new HashMap<>(m.o.env);
        envB.putAll(m.o.abB);
        try (Serve a = Serve.start(
                        m.o.repo,
                        m.o.work.resolve(app),
                        "graalwasm",
                        m.port(),
                        List.of("--skip-build"),
                        envA,
                        m.o.work.resolve("serve-ab-a-" + System.currentTimeMillis() + ".log"));
                Serve b = Serve.start(
                        m.o.repo,
                        m.o.work.resolve(app),
                        "graalwasm",
                        m.port(),
                        List.of("--skip-build"),
                        envB,
                        m.o.work.resolve("serve-ab-b-" + System.currentTimeMillis() + ".log"));
                Http.Conn ca = m.http.conn(a.port);
                Http.Conn cb = m.http.conn(b.port)) {
            long bannerA = a.await(Serve.BANNER_END, Main.FIRST_TIMEOUT);
            long bannerB = b.await(Serve.BANNER_END, Main.FIRST_TIMEOUT);
            Main.log("A " + m.o.abA + ": banner " + bannerA / 1_000_000 + " ms, JVM cpu " + a.cpuMillis() + " ms; B "
                    + m.o.abB + ": banner " + bannerB / 1_000_000 + " ms, JVM cpu " + b.cpuMillis() + " ms");
            Map<String, String> namesA = new HashMap<>();
            Map<String, String> namesB = new HashMap<>();
            Map<String, List<double[]>> byPath = new HashMap<>();
            // The same request to both at the same moment. One after the other (A, then B) favoured A: while B ran a
            // slow early request, A sat idle, and its warm-up and compilers had the cores to themselves, so A's next
            // request found more of its code compiled whichever configuration A was (20-150x on requests 2-3).
            ExecutorService toB = Executors.newSingleThreadExecutor();
            try {
                for (int i = 0; i < m.o.abRequests; i++) {
                    String path = paths.get(i % paths.size());
                    double[] row = new double[4];
                    Future<Double> fromB = toB.submit(() -> timed(b, cb, path, namesB, row, 3));
                    row[0] = timed(a, ca, path, namesA, row, 1);
                    row[2] = fromB.get();
                    byPath.computeIfAbsent(path, p -> new ArrayList<>()).add(row);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            } catch (ExecutionException e) {
                throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
            } finally {
                toB.shutdownNow();
            }
            for (var e : byPath.entrySet()) {
                List<double[]> rows = e.getValue();
                StringBuilder sb = new StringBuilder("| " + e.getKey() + " | ");
                for (int[] w : windows(rows.size())) {
                    List<double[]> part = rows.subList(w[0] - 1, Math.min(rows.size(), w[1]));
                    sb.append(String.format(
                            "%d–%d: A %s (cpu %s) / B %s (cpu %s) | ",
                            w[0],
                            w[1],
                            Stats.fmt(Stats.median(col(part, 0))),
                            Stats.fmt(Stats.median(col(part, 1))),
                            Stats.fmt(Stats.median(col(part, 2))),
                            Stats.fmt(Stats.median(col(part, 3)))));
                }
                m.report.note("A/B " + e.getKey() + " ms (median latency, request threads' CPU): " + sb);
            }
            m.report.note("A/B JVM CPU at the end: A " + a.cpuMillis() + " ms, B " + b.cpuMillis() + " ms; RSS A "
                    + Stats.fmt(a.rssMib()) + " MiB, B " + Stats.fmt(b.rssMib()) + " MiB");
        }
    }

    private static List<int[]> windows(int n) {
        List<int[]> w = new ArrayList<>();
        int[] bounds = {1, 4, 21, 71, 201, 501, 1001, 2001, 5001};
        for (int i = 0; i + 1 < bounds.length && bounds[i] <= n; i++) {
            w.add(new int[] {bounds[i], Math.min(n, bounds[i + 1] - 1)});
        }
        return w;
    }

    private static List<Double> col(List<double[]> rows, int c) {
        List<Double> out = new ArrayList<>();
        rows.forEach(r -> out.add(r[c]));
        return out;
    }

    private static double timed(Serve s, Http.Conn c, String path, Map<String, String> names, double[] row, int cpuCol)
            throws IOException {
        long before = Proc.cpuNanos(s.pid(), names, "edge-guest", "edge-instantiat");
        Http.Response r = c.get(path, Duration.ofSeconds(120));
        row[cpuCol] = (Proc.cpuNanos(s.pid(), names, "edge-guest", "edge-instantiat") - before) / 1e6;
        if (r.status() != 200) {
            throw new IOException(path + ": status " + r.status());
        }
        return r.millis();
    }
}
