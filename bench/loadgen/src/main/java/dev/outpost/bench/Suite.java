package dev.outpost.bench;

import com.sun.management.OperatingSystemMXBean;
import io.netty.channel.EventLoopGroup;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongFunction;

/**
 * The proxy scenarios, run one after another against one proxy. Each figure is printed as
 * {@code RESULT <key> <value> <unit>}; progress goes to stderr.
 */
final class Suite {
    record Options(
            String proxyHost,
            int proxyPort,
            String publishHost,
            int publishPort,
            long pid,
            List<String> holds,
            int maxConns,
            int fanoutWarmup,
            int fanoutRounds,
            List<int[]> tputShapes,
            long tputMillis,
            long drainMillis,
            int publishLanes,
            int wsConns,
            int openWindow,
            long deliverTimeoutMs,
            long openTimeoutMs,
            int threads) {}

    private static final OperatingSystemMXBean OS =
            (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private final Options o;
    private final EventLoopGroup group;
    private final ProcTree proxy;
    private final Publisher publisher;
    private final AtomicLong ids = new AtomicLong(1);
    private ProcTree.Sample baseline;

    Suite(Options o) {
        this.o = o;
        this.group = Net.group(o.threads());
        this.proxy = o.pid() > 0 ? new ProcTree(o.pid()) : null;
        this.publisher = new Publisher(group, o.publishHost(), o.publishPort(), o.publishLanes());
    }

    void run() throws InterruptedException {
        try {
            // Idle footprint of the freshly started proxy: every per-connection figure is relative to it, since
            // neither a JVM nor Pushpin reliably hands memory back after connections close.
            baseline = sample();
            if (baseline != null) {
                result("idle.rss_total", baseline.rssKib() / 1024.0, "MiB");
                result("idle.processes", baseline.processes(), "");
            }
            for (String h : o.holds()) {
                int n = h.equals("max") ? o.maxConns() : Integer.parseInt(h);
                requireProxy();
                holdAndFanout(h, n);
            }
            for (int[] shape : o.tputShapes()) {
                requireProxy();
                throughput(shape[0], shape[1]);
            }
            if (o.wsConns() > 0) {
                requireProxy();
                webSocketFanout(o.wsConns());
            }
            requireProxy();
        } finally {
            publisher.close();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    // ---- (1) held connections, memory, and (2) fan-out ----

    private void holdAndFanout(String name, int n) throws InterruptedException {
        String key = "hold." + name;
        log("%s: opening %d HTTP streams", key, n);
        Meter m = new Meter();
        ProcTree.Sample before = baseline;
        String channel = "f" + name + "-" + ids.get();
        try (Subscribers subs = new Subscribers(group, o.proxyHost(), o.proxyPort(), Subscribers.Kind.STREAM)) {
            long t0 = System.nanoTime();
            int ready = subs.open(n, i -> "/stream/" + channel, o.openWindow(), o.openTimeoutMs());
            double openSecs = (System.nanoTime() - t0) / 1e9;
            log(
                    "%s: %d ready, %d failed in %.1f s%s",
                    key,
                    ready,
                    subs.failed(),
                    openSecs,
                    subs.firstError() == null ? "" : " (first error: " + subs.firstError() + ")");
            result(key + ".conns_ready", ready, "conns");
            result(key + ".open_rate", ready / openSecs, "conns/s");
            result(key + ".open_refused", subs.failed(), "attempts");
            Thread.sleep(2000);
            ProcTree.Sample after = sample();
            if (before != null && ready > 0) {
                result(key + ".rss_per_conn", (after.rssKib() - before.rssKib()) / (double) ready, "KiB");
                result(key + ".rss_total", after.rssKib() / 1024.0, "MiB");
            }
            if (ready == 0) {
                result(key + ".lost", n, "msgs");
                return;
            }
            int synced = sync(subs, n, ready, id -> Publisher.streamItem(channel, id));
            boolean measureFanout = !name.equals("max");
            List<Fanout.Stats> rounds = new ArrayList<>();
            int lost = ready - synced;
            if (measureFanout) {
                lost += warmUp(key, subs, n, synced, id -> Publisher.streamItem(channel, id));
            }
            for (int r = 0; r < (measureFanout ? o.fanoutRounds() : 1); r++) {
                Fanout.Stats s = fanoutOnce(subs, n, synced, id -> Publisher.streamItem(channel, id));
                log(
                        "%s: round %d: %d/%d received, p50 %.1f ms, p99 %.1f ms, last %.1f ms",
                        key, r + 1, s.received(), synced, s.p50Ms(), s.p99Ms(), s.lastMs());
                rounds.add(s);
                lost += s.lost();
            }
            int ended = subs.ended();
            result(key + ".lost", lost, "msgs");
            result(key + ".ended_by_proxy", ended, "conns");
            if (measureFanout) {
                reportFanout("fanout." + name, rounds, lost);
            }
            m.report(key);
        }
        Thread.sleep(1000);
    }

    /**
     * Unmeasured fan-out rounds, so the measured ones see a proxy whose JIT has compiled the delivery path;
     * messages lost here still count as lost.
     */
    private int warmUp(String key, Subscribers subs, int n, int synced, LongFunction<String> item)
            throws InterruptedException {
        int lost = 0;
        for (int r = 0; r < o.fanoutWarmup(); r++) {
            Fanout.Stats s = fanoutOnce(subs, n, synced, item);
            lost += s.lost();
        }
        if (o.fanoutWarmup() > 0) {
            log("%s: %d warm-up round(s) done, %d lost", key, o.fanoutWarmup(), lost);
        }
        return lost;
    }

    private void reportFanout(String key, List<Fanout.Stats> rounds, int lost) {
        rounds.sort(Comparator.comparingDouble(Fanout.Stats::lastMs));
        Fanout.Stats median = rounds.get(rounds.size() / 2);
        result(key + ".p50", median.p50Ms(), "ms");
        result(key + ".p99", median.p99Ms(), "ms");
        result(key + ".last", median.lastMs(), "ms");
        result(key + ".lost", lost, "msgs");
    }

    /**
     * Publishes until every ready connection has seen a message, so measurements start with all subscriptions
     * in place; returns how many connections are subscribed.
     */
    private int sync(Subscribers subs, int n, int ready, LongFunction<String> itemFor) throws InterruptedException {
        long floor = ids.get();
        Fanout.Seen seen = new Fanout.Seen(floor, n, ready);
        subs.tracker(seen);
        for (int attempt = 0; attempt < 3; attempt++) {
            publisher.send(Publisher.body(itemFor.apply(ids.getAndIncrement())), o.deliverTimeoutMs());
            if (seen.await(o.deliverTimeoutMs() / 3)) {
                break;
            }
            log("sync: %d of %d connections have not seen a message yet", seen.missing(), ready);
        }
        subs.tracker(Tracker.NONE);
        return (int) (ready - seen.missing());
    }

    private Fanout.Stats fanoutOnce(Subscribers subs, int n, int expected, LongFunction<String> item)
            throws InterruptedException {
        long id = ids.getAndIncrement();
        Fanout f = new Fanout(id, n, expected);
        subs.tracker(f);
        Publisher.Result r = publisher.run(
                List.of(new Publisher.Job(Publisher.body(item.apply(id)), () -> f.sentNanos = System.nanoTime()))
                        .iterator(),
                o.deliverTimeoutMs());
        if (r.ok() != 1) {
            log("fanout: publish failed: %s", r.firstError());
        }
        f.await(o.deliverTimeoutMs());
        subs.tracker(Tracker.NONE);
        return f.stats();
    }

    // ---- (3) sustained publish throughput ----

    private void throughput(int channels, int perChannel) throws InterruptedException {
        String key = "tput." + channels + "x" + perChannel;
        int n = channels * perChannel;
        String prefix = "t" + channels + "x" + perChannel + "-" + ids.get() + "-";
        log("%s: opening %d HTTP streams on %d channels", key, n, channels);
        try (Subscribers subs = new Subscribers(group, o.proxyHost(), o.proxyPort(), Subscribers.Kind.STREAM)) {
            int ready = subs.open(n, i -> "/stream/" + prefix + (i % channels), o.openWindow(), o.openTimeoutMs());
            if (ready < n) {
                log("%s: only %d of %d ready (%s)", key, ready, n, subs.firstError());
            }
            result(key + ".conns_ready", ready, "conns");
            // every channel gets one warm-up message whose id is >= the floor
            long floor = ids.get();
            Fanout.Seen seen = new Fanout.Seen(floor, n, ready);
            subs.tracker(seen);
            List<Publisher.Job> warm = new ArrayList<>();
            for (int c = 0; c < channels; c++) {
                warm.add(new Publisher.Job(Publisher.body(Publisher.streamItem(prefix + c, ids.getAndIncrement()))));
            }
            publisher.run(warm.iterator(), o.deliverTimeoutMs());
            seen.await(o.deliverTimeoutMs());
            int synced = (int) (ready - seen.missing());

            LongAdder received = new LongAdder();
            AtomicLong lastDelivery = new AtomicLong();
            long first = ids.get() + 1000;
            ids.set(first);
            subs.tracker((conn, id, nanos) -> {
                if (id >= first) {
                    received.increment();
                    lastDelivery.accumulateAndGet(nanos, Math::max);
                }
            });
            Meter m = new Meter();
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(o.tputMillis());
            long opened = publisher.connectionsOpened();
            Iterator<Publisher.Job> jobs = new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return System.nanoTime() < until;
                }

                @Override
                public Publisher.Job next() {
                    long id = ids.getAndIncrement();
                    return new Publisher.Job(
                            Publisher.body(Publisher.streamItem(prefix + ((id - first) % channels), id)));
                }
            };
            Publisher.Result r = publisher.run(jobs, o.tputMillis() + o.deliverTimeoutMs());
            long expected = (long) r.ok() * perChannel;
            // drain: until all arrived, nothing arrived for 5 s, or the cap
            long drainEnd = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(o.drainMillis());
            long lastCount = -1;
            long lastChange = System.nanoTime();
            while (received.sum() < expected
                    && System.nanoTime() < drainEnd
                    && System.nanoTime() - lastChange < TimeUnit.SECONDS.toNanos(5)) {
                Thread.sleep(50);
                long c = received.sum();
                if (c != lastCount) {
                    lastCount = c;
                    lastChange = System.nanoTime();
                }
            }
            subs.tracker(Tracker.NONE);
            long got = received.sum();
            double pubSecs = (r.lastResponseNanos() - r.firstSendNanos()) / 1e9;
            double e2eSecs = (Math.max(lastDelivery.get(), r.lastResponseNanos()) - r.firstSendNanos()) / 1e9;
            log(
                    "%s: %d publishes ok, %d failed in %.2f s; %d/%d deliveries, last after %.2f s%s",
                    key,
                    r.ok(),
                    r.failed(),
                    pubSecs,
                    got,
                    expected,
                    e2eSecs,
                    r.firstError() == null ? "" : " (first error: " + r.firstError() + ")");
            result(key + ".publish_rate", r.ok() / pubSecs, "msgs/s");
            result(key + ".delivered_msg_rate", r.ok() / e2eSecs, "msgs/s");
            result(key + ".delivery_rate", got / e2eSecs, "deliveries/s");
            result(key + ".lost", expected - got + r.failed(), "msgs");
            if (synced < n) {
                log("%s: %d of %d subscribers never got the warm-up message", key, n - synced, n);
            }
            result(key + ".publish_conns", publisher.connectionsOpened() - opened, "conns");
            m.report(key);
        }
        Thread.sleep(1000);
    }

    // ---- (5) WebSocket-over-HTTP fan-out ----

    private void webSocketFanout(int n) throws InterruptedException {
        String key = "ws." + n;
        String channel = "w" + n + "-" + ids.get();
        log("%s: opening %d WebSockets (over HTTP at the origin)", key, n);
        Meter m = new Meter();
        try (Subscribers subs = new Subscribers(group, o.proxyHost(), o.proxyPort(), Subscribers.Kind.WEBSOCKET)) {
            int ready = subs.open(n, i -> "/ws/" + channel, o.openWindow(), o.openTimeoutMs());
            log(
                    "%s: %d ready, %d failed%s",
                    key,
                    ready,
                    subs.failed(),
                    subs.firstError() == null ? "" : " (first error: " + subs.firstError() + ")");
            result(key + ".conns_ready", ready, "conns");
            result(key + ".open_refused", subs.failed(), "attempts");
            if (ready == 0) {
                result("ws_fanout." + n + ".lost", n, "msgs");
                return;
            }
            int synced = sync(subs, n, ready, id -> Publisher.wsItem(channel, id));
            List<Fanout.Stats> rounds = new ArrayList<>();
            int lost = ready - synced;
            lost += warmUp(key, subs, n, synced, id -> Publisher.wsItem(channel, id));
            for (int r = 0; r < o.fanoutRounds(); r++) {
                Fanout.Stats s = fanoutOnce(subs, n, synced, id -> Publisher.wsItem(channel, id));
                log(
                        "%s: round %d: %d/%d received, p50 %.1f ms, p99 %.1f ms, last %.1f ms",
                        key, r + 1, s.received(), synced, s.p50Ms(), s.p99Ms(), s.lastMs());
                rounds.add(s);
                lost += s.lost();
            }
            reportFanout("ws_fanout." + n, rounds, lost);
            m.report(key);
        }
    }

    // ---- helpers ----

    /** Figures from a proxy that has exited would be meaningless: stop the run instead. */
    private void requireProxy() {
        if (o.pid() > 0 && !Files.exists(Path.of("/proc", Long.toString(o.pid())))) {
            throw new IllegalStateException("the proxy (pid " + o.pid() + ") has exited; no further figures");
        }
    }

    private ProcTree.Sample sample() {
        return proxy == null ? null : proxy.sample();
    }

    /** CPU used by this load generator and by the proxy over one scenario, in % of one core. */
    private final class Meter {
        private final long wall = System.nanoTime();
        private final long self = OS.getProcessCpuTime();
        private final ProcTree.Sample proxyStart = sample();

        void report(String key) {
            double secs = (System.nanoTime() - wall) / 1e9;
            result(key + ".loadgen_cpu", (OS.getProcessCpuTime() - self) / 1e9 / secs * 100, "% of a core");
            if (proxyStart != null) {
                result(
                        key + ".proxy_cpu",
                        (sample().cpuSeconds() - proxyStart.cpuSeconds()) / secs * 100,
                        "% of a core");
            }
        }
    }

    static void result(String key, double value, String unit) {
        System.out.println(String.format(Locale.ROOT, "RESULT\t%s\t%.2f\t%s", key, value, unit));
        System.out.flush();
    }

    static void log(String fmt, Object... args) {
        System.err.println(String.format(Locale.ROOT, "[%tT] ", System.currentTimeMillis())
                + String.format(Locale.ROOT, fmt, args));
    }
}
