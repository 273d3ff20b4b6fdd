package dev.outpost.bench;

import com.sun.management.OperatingSystemMXBean;
import io.netty.channel.EventLoopGroup;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Fan-out across proxy nodes: one holder process per node opens {@code conns} streams to it (each process has its own
 * descriptor limit), and this coordinator publishes on one node and reads from every holder when the last stream got
 * the item. Times are {@link System#nanoTime()}, which is the machine's monotonic clock, the same in every process.
 *
 * <pre>
 *   cluster --nodes H:P[,H:P...] --publish H:P --conns N [--channel C] [--fanout-warmup N] [--fanout-rounds N]
 *           [--pids PID[,PID...]] [--bus-pid PID]   (the nodes' processes, in --nodes order, and the bus's: CPU)
 *   hold    --proxy H:P --conns N --channel C [--open-timeout-ms MS]   (a holder; driven through its standard input)
 * </pre>
 *
 * Prints {@code RESULT fanout.nodes.*} (the median round by last delivery) and {@code RESULT fanout.nodes.conns}; with
 * {@code --pids}, the CPU each node used over that round, beside the holders' own ({@code *_cpu_ms}, milliseconds of
 * CPU: over a round of {@code last} ms on c cores at most c × last).
 */
final class Cluster {
    private static final OperatingSystemMXBean OS =
            (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private Cluster() {}

    /**
     * How long a holder may take to open its streams: 120 s, or 20 ms a stream when more (6.5 minutes for 19,700:
     * three holders open at once on a shared machine, each node doing an origin request per stream).
     */
    static long openTimeoutMs(int conns) {
        return Math.max(120_000L, 20L * conns);
    }

    /** The coordinator. */
    static void run(
            List<String[]> nodes,
            String[] publish,
            int conns,
            String channel,
            int warmup,
            int rounds,
            int threads,
            List<Long> nodePids,
            long busPid)
            throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String jar = Path.of(Cluster.class
                        .getProtectionDomain()
                        .getCodeSource()
                        .getLocation()
                        .toURI())
                .toString();
        List<Holder> holders = new ArrayList<>();
        EventLoopGroup group = Net.group(1);
        Publisher publisher = new Publisher(group, publish[0], Integer.parseInt(publish[1]), 1);
        try {
            for (String[] n : nodes) {
                Process p = new ProcessBuilder(
                                java,
                                "--enable-native-access=ALL-UNNAMED",
                                "-Xms128m",
                                "-Xmx768m",
                                "-XX:+UseParallelGC",
                                "-jar",
                                jar,
                                "hold",
                                "--proxy",
                                n[0] + ":" + n[1],
                                "--conns",
                                Integer.toString(conns),
                                "--channel",
                                channel,
                                "--threads",
                                Integer.toString(threads),
                                "--open-timeout-ms",
                                Long.toString(openTimeoutMs(conns)))
                        .redirectError(ProcessBuilder.Redirect.INHERIT)
                        .start();
                holders.add(new Holder(p));
            }
            int ready = 0;
            for (int i = 0; i < holders.size(); i++) {
                String[] r = holders.get(i).expect("READY");
                ready += Integer.parseInt(r[1]);
                Suite.log(
                        "cluster: node %s:%s: %s of %d streams ready in %s ms (%s failed attempts, %s retried)",
                        nodes.get(i)[0], nodes.get(i)[1], r[1], conns, r[4], r[2], r[3]);
            }
            Suite.log("cluster: %d streams ready on %d node(s)", ready, nodes.size());
            result("fanout.nodes.conns", ready, "conns");
            long id = 1;
            // every stream has seen an item before measuring: subscriptions are in place on every node
            for (int attempt = 0; attempt < 3; attempt++) {
                long missing = round(holders, publisher, id++, 30_000).stats().lost();
                if (missing == 0) {
                    break;
                }
                Suite.log("cluster: sync: %d streams missed the item", missing);
            }
            for (int i = 0; i < warmup; i++) {
                round(holders, publisher, id++, 30_000);
            }
            List<Round> measured = new ArrayList<>();
            int lost = 0;
            List<ProcTree> trees = new ArrayList<>();
            for (long pid : nodePids) {
                trees.add(new ProcTree(pid));
            }
            ProcTree bus = busPid > 0 ? new ProcTree(busPid) : null;
            for (int i = 0; i < rounds; i++) {
                double[] before = cpu(trees, bus);
                Round r = round(holders, publisher, id++, 30_000);
                double[] after = cpu(trees, bus);
                for (int k = 0; k < before.length; k++) {
                    after[k] -= before[k];
                }
                r = r.withCpu(after);
                Suite.log(
                        "cluster: round %d: %d received, %d lost, first %.1f ms, last %.1f ms; %s",
                        i + 1, r.stats.received(), r.stats.lost(), r.firstMs, r.stats.lastMs(), r.describe(nodes));
                measured.add(r);
                lost += r.stats.lost();
            }
            measured.sort(Comparator.comparingDouble(m -> m.stats.lastMs()));
            Round median = measured.get(measured.size() / 2);
            result("fanout.nodes.last", median.stats.lastMs(), "ms");
            result("fanout.nodes.p50", median.stats.p50Ms(), "ms");
            result("fanout.nodes.first", median.firstMs, "ms");
            result("fanout.nodes.lost", lost, "msgs");
            // CPU over the median round (from before the publish to the last holder's report), in ms of CPU
            result("fanout.nodes.loadgen_cpu_ms", median.holderCpuTotal(), "ms");
            if (median.cpuMs != null) {
                result("fanout.nodes.proxy_cpu_ms", median.nodeCpuMs(), "ms");
                if (bus != null) {
                    result("fanout.nodes.bus_cpu_ms", median.cpuMs[median.cpuMs.length - 1], "ms");
                }
            }
        } finally {
            for (Holder h : holders) {
                h.close();
            }
            publisher.close();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /** CPU seconds so far of each node's process tree (and the bus's, last), in ms; empty without pids. */
    private static double[] cpu(List<ProcTree> trees, ProcTree bus) {
        double[] v = new double[trees.size() + (bus == null ? 0 : 1)];
        for (int i = 0; i < trees.size(); i++) {
            v[i] = trees.get(i).sample().cpuSeconds() * 1000;
        }
        if (bus != null) {
            v[v.length - 1] = bus.sample().cpuSeconds() * 1000;
        }
        return v;
    }

    /** One measured round: the worst holder's figures, each holder's own CPU, and each node's (bus last). */
    private record Round(Fanout.Stats stats, double firstMs, double[] holderCpuMs, double[] cpuMs, int nodes) {
        Round withCpu(double[] c) {
            return new Round(stats, firstMs, holderCpuMs, c.length == 0 ? null : c, nodes);
        }

        double holderCpuTotal() {
            double t = 0;
            for (double v : holderCpuMs) {
                t += v;
            }
            return t;
        }

        double nodeCpuMs() {
            double t = 0;
            for (int i = 0; i < nodes && cpuMs != null && i < cpuMs.length; i++) {
                t += cpuMs[i];
            }
            return t;
        }

        String describe(List<String[]> nodeList) {
            StringBuilder b = new StringBuilder("CPU ms:");
            for (int i = 0; i < nodes; i++) {
                b.append(String.format(Locale.ROOT, " node%d %.0f", i, cpuMs == null ? Double.NaN : cpuMs[i]));
                b.append(String.format(Locale.ROOT, " holder%d %.0f", i, holderCpuMs[i]));
            }
            if (cpuMs != null && cpuMs.length > nodes) {
                b.append(String.format(Locale.ROOT, " bus %.0f", cpuMs[nodes]));
            }
            return b.toString();
        }
    }

    /** One item to every holder's streams: the worst holder's last delivery and the sum of what was lost. */
    private static Round round(List<Holder> holders, Publisher publisher, long id, long timeoutMs) throws Exception {
        for (Holder h : holders) {
            h.send("EXPECT " + id);
        }
        for (Holder h : holders) {
            h.expect("ARMED");
        }
        long sent = System.nanoTime();
        Publisher.Result r = publisher.send(Publisher.body(Publisher.streamItem(holderChannel, id)), timeoutMs);
        if (r.ok() != 1) {
            Suite.log("cluster: publish failed: %s", r.firstError());
        }
        int received = 0;
        int lost = 0;
        double last = 0;
        double p50 = 0;
        double first = Double.MAX_VALUE;
        double[] holderCpu = new double[holders.size()];
        for (Holder h : holders) {
            h.send("SENT " + sent);
        }
        for (int i = 0; i < holders.size(); i++) {
            String[] d = holders.get(i).expect("DONE");
            received += Integer.parseInt(d[1]);
            lost += Integer.parseInt(d[2]);
            last = Math.max(last, Double.parseDouble(d[3]));
            p50 = Math.max(p50, Double.parseDouble(d[4]));
            first = Math.min(first, Double.parseDouble(d[5]));
            holderCpu[i] = Double.parseDouble(d[6]);
        }
        return new Round(
                new Fanout.Stats(received, lost, p50, Double.NaN, last), first, holderCpu, null, holders.size());
    }

    private static String holderChannel = "cluster";

    static void setChannel(String c) {
        holderChannel = c;
    }

    private static void result(String key, double value, String unit) {
        System.out.printf(Locale.ROOT, "RESULT\t%s\t%.3f\t%s%n", key, value, unit);
        System.out.flush();
    }

    /** A holder process and its pipes. */
    private static final class Holder implements AutoCloseable {
        final Process p;
        final BufferedReader in;
        final Writer out;

        Holder(Process p) {
            this.p = p;
            this.in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            this.out = new OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8);
        }

        void send(String line) throws IOException {
            out.write(line + "\n");
            out.flush();
        }

        String[] expect(String word) throws IOException {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.startsWith(word)) {
                    return line.split(" ");
                }
            }
            throw new IOException("holder exited before " + word);
        }

        @Override
        public void close() throws InterruptedException {
            p.destroy();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    /** A holder: opens the streams, then for each EXPECT/SENT pair tells when its last stream got the item. */
    static void hold(String host, int port, int conns, String channel, int threads, long openTimeoutMs)
            throws Exception {
        PrintStream out = System.out;
        EventLoopGroup group = Net.group(threads);
        try (Subscribers subs = new Subscribers(group, host, port, Subscribers.Kind.STREAM)) {
            long opening = System.nanoTime();
            int ready = subs.open(conns, i -> "/stream/" + channel, 256, openTimeoutMs);
            long openMs = (System.nanoTime() - opening) / 1_000_000;
            if (subs.firstError() != null) {
                Suite.log("hold %s:%d: %d failed (first error: %s)", host, port, subs.failed(), subs.firstError());
            }
            out.println("READY " + ready + " " + subs.failed() + " " + subs.retries() + " " + openMs);
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            Fanout f = null;
            long cpuAtArm = 0;
            while ((line = in.readLine()) != null) {
                String[] w = line.split(" ");
                if (w[0].equals("EXPECT")) {
                    f = new Fanout(Long.parseLong(w[1]), conns, ready - subs.ended());
                    subs.tracker(f);
                    cpuAtArm = OS.getProcessCpuTime();
                    out.println("ARMED");
                    out.flush();
                } else if (w[0].equals("SENT") && f != null) {
                    f.sentNanos = Long.parseLong(w[1]);
                    f.await(30_000);
                    subs.tracker(Tracker.NONE);
                    Fanout.Stats s = f.stats();
                    double cpuMs = (OS.getProcessCpuTime() - cpuAtArm) / 1e6;
                    out.printf(
                            Locale.ROOT,
                            "DONE %d %d %.3f %.3f %.3f %.1f%n",
                            s.received(),
                            s.lost(),
                            Double.isNaN(s.lastMs()) ? 0 : s.lastMs(),
                            Double.isNaN(s.p50Ms()) ? 0 : s.p50Ms(),
                            Double.isNaN(f.firstMs()) ? 0 : f.firstMs(),
                            cpuMs);
                    out.flush();
                    f = null;
                }
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
