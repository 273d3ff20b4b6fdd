package dev.outpost.bench;

import io.netty.channel.EventLoopGroup;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
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
 *   hold    --proxy H:P --conns N --channel C      (a holder; driven through its standard input)
 * </pre>
 *
 * Prints {@code RESULT fanout.nodes.*} (the median round by last delivery) and {@code RESULT fanout.nodes.conns}.
 */
final class Cluster {
    private Cluster() {}

    /** The coordinator. */
    static void run(List<String[]> nodes, String[] publish, int conns, String channel, int warmup, int rounds,
            int threads) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String jar = Path.of(Cluster.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        List<Holder> holders = new ArrayList<>();
        EventLoopGroup group = Net.group(1);
        Publisher publisher = new Publisher(group, publish[0], Integer.parseInt(publish[1]), 1);
        try {
            for (String[] n : nodes) {
                Process p = new ProcessBuilder(
                                java, "--enable-native-access=ALL-UNNAMED", "-Xms128m", "-Xmx768m",
                                "-XX:+UseParallelGC", "-jar", jar, "hold",
                                "--proxy", n[0] + ":" + n[1], "--conns", Integer.toString(conns),
                                "--channel", channel, "--threads", Integer.toString(threads))
                        .redirectError(ProcessBuilder.Redirect.INHERIT)
                        .start();
                holders.add(new Holder(p));
            }
            int ready = 0;
            for (Holder h : holders) {
                String[] r = h.expect("READY");
                ready += Integer.parseInt(r[1]);
            }
            Suite.log("cluster: %d streams ready on %d node(s)", ready, nodes.size());
            result("fanout.nodes.conns", ready, "conns");
            long id = 1;
            // every stream has seen an item before measuring: subscriptions are in place on every node
            for (int attempt = 0; attempt < 3; attempt++) {
                long missing = round(holders, publisher, id++, 30_000).lost();
                if (missing == 0) {
                    break;
                }
                Suite.log("cluster: sync: %d streams missed the item", missing);
            }
            for (int i = 0; i < warmup; i++) {
                round(holders, publisher, id++, 30_000);
            }
            List<Fanout.Stats> measured = new ArrayList<>();
            int lost = 0;
            for (int i = 0; i < rounds; i++) {
                Fanout.Stats s = round(holders, publisher, id++, 30_000);
                Suite.log("cluster: round %d: %d received, %d lost, last %.1f ms", i + 1, s.received(), s.lost(),
                        s.lastMs());
                measured.add(s);
                lost += s.lost();
            }
            measured.sort(Comparator.comparingDouble(Fanout.Stats::lastMs));
            Fanout.Stats median = measured.get(measured.size() / 2);
            result("fanout.nodes.last", median.lastMs(), "ms");
            result("fanout.nodes.p50", median.p50Ms(), "ms");
            result("fanout.nodes.lost", lost, "msgs");
        } finally {
            for (Holder h : holders) {
                h.close();
            }
            publisher.close();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /** One item to every holder's streams: the worst holder's last delivery and the sum of what was lost. */
    private static Fanout.Stats round(List<Holder> holders, Publisher publisher, long id, long timeoutMs)
            throws Exception {
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
        for (Holder h : holders) {
            h.send("SENT " + sent);
        }
        for (Holder h : holders) {
            String[] d = h.expect("DONE");
            received += Integer.parseInt(d[1]);
            lost += Integer.parseInt(d[2]);
            last = Math.max(last, Double.parseDouble(d[3]));
            p50 = Math.max(p50, Double.parseDouble(d[4]));
        }
        return new Fanout.Stats(received, lost, p50, Double.NaN, last);
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
    static void hold(String host, int port, int conns, String channel, int threads) throws Exception {
        PrintStream out = System.out;
        EventLoopGroup group = Net.group(threads);
        try (Subscribers subs = new Subscribers(group, host, port, Subscribers.Kind.STREAM)) {
            int ready = subs.open(conns, i -> "/stream/" + channel, 256, 120_000);
            if (subs.firstError() != null) {
                Suite.log("hold %s:%d: %d failed (first error: %s)", host, port, subs.failed(), subs.firstError());
            }
            out.println("READY " + ready);
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            Fanout f = null;
            while ((line = in.readLine()) != null) {
                String[] w = line.split(" ");
                if (w[0].equals("EXPECT")) {
                    f = new Fanout(Long.parseLong(w[1]), conns, ready - subs.ended());
                    subs.tracker(f);
                    out.println("ARMED");
                    out.flush();
                } else if (w[0].equals("SENT") && f != null) {
                    f.sentNanos = Long.parseLong(w[1]);
                    f.await(30_000);
                    subs.tracker(Tracker.NONE);
                    Fanout.Stats s = f.stats();
                    out.printf(Locale.ROOT, "DONE %d %d %.3f %.3f%n", s.received(), s.lost(),
                            Double.isNaN(s.lastMs()) ? 0 : s.lastMs(), Double.isNaN(s.p50Ms()) ? 0 : s.p50Ms());
                    out.flush();
                    f = null;
                }
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
