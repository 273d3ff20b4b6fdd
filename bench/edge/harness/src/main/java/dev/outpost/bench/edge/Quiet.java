package dev.outpost.bench.edge;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Waits, before a timed start, until the machine is idle: what the harness itself did just before (compiling the
 * reference, its own JIT, a server it just stopped) would otherwise be timed as part of the next start, which no user
 * sees. Reads the machine's CPU counters from {@code /proc/stat}.
 */
final class Quiet {
    /** Idle share of all cores over one window that counts as quiet. */
    static final double IDLE = 0.9;

    static final long WINDOW_MS = 500;
    static final long MAX_WAIT_MS = 30_000;

    private Quiet() {}

    /** Returns once a {@value #WINDOW_MS} ms window was at least {@value #IDLE} idle, or after {@value #MAX_WAIT_MS} ms. */
    static void await(String what) {
        await(what, MAX_WAIT_MS);
    }

    /** As {@link #await(String)}, giving up after {@code maxWaitMs}. */
    static void await(String what, long maxWaitMs) {
        long start = System.nanoTime();
        double idle = 0;
        while ((System.nanoTime() - start) / 1_000_000 < maxWaitMs) {
            long[] a = counters();
            Serve.sleep(WINDOW_MS);
            long[] b = counters();
            if (a == null || b == null) {
                return; // no /proc/stat: nothing to wait for
            }
            long total = b[0] - a[0];
            idle = total == 0 ? 1 : (double) (b[1] - a[1]) / total;
            if (idle >= IDLE) {
                break;
            }
        }
        long waited = (System.nanoTime() - start) / 1_000_000;
        if (idle < IDLE || waited > 2 * WINDOW_MS) {
            Main.log("before " + what + ": waited " + waited + " ms for an idle machine (last window "
                    + Math.round(idle * 100) + " % idle" + (idle < IDLE ? ", gave up" : "") + ")");
        }
    }

    /** All jiffies and idle ones (idle and iowait), summed over the cores; null without /proc/stat. */
    private static long[] counters() {
        try {
            String line = Files.readAllLines(Path.of("/proc/stat")).get(0);
            String[] f = line.trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < f.length; i++) {
                total += Long.parseLong(f[i]);
            }
            return new long[] {total, Long.parseLong(f[4]) + Long.parseLong(f[5])};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
