package dev.outpost.bench.edge;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Request latency from the banner on: the first requests, then steady state after a stretch of traffic, each request
 * to Outpost followed by the same request to wasmtime; and throughput with 1 and 8 concurrent clients.
 */
final class Latency {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final Main m;
    private final String engine;
    private final int steadySeconds;

    Latency(Main m, String engine, int steadySeconds) {
        this.m = m;
        this.engine = engine;
        this.steadySeconds = steadySeconds;
    }

    /**
     * Outpost's and wasmtime's latencies of a sequence of requests, taken in turn; with {@code --guest-cpu} also the
     * CPU time Outpost's request threads (guest runs and instantiation) used per request, a latency that does not
     * depend on what else the machine runs.
     */
    private record Pair(List<Double> outpost, List<Double> reference, List<Double> guestCpu) {
        Pair() {
            this(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        }
    }

    private final Map<String, String> threadNames = new HashMap<>();

    private Pair alternate(Serve s, Http.Conn outpost, Http.Conn reference, String path, int n, Duration limit)
            throws IOException {
        Pair p = new Pair();
        long deadline = limit == null ? Long.MAX_VALUE : System.nanoTime() + limit.toNanos();
        for (int i = 0; i < n && System.nanoTime() < deadline; i++) {
            long before = m.o.guestCpu ? Proc.cpuNanos(s.pid(), threadNames, GUEST_THREADS) : 0;
            p.outpost().add(check(outpost.get(path, TIMEOUT), path).millis());
            if (m.o.guestCpu) {
                p.guestCpu().add((Proc.cpuNanos(s.pid(), threadNames, GUEST_THREADS) - before) / 1e6);
            }
            if (reference != null) {
                p.reference().add(check(reference.get(path, TIMEOUT), path).millis());
            }
        }
        return p;
    }

    /** The threads a request runs on (the event loops' share is small and shared with everything else). */
    private static final String[] GUEST_THREADS = {"edge-guest", "edge-instantiat"};

    private static Http.Response check(Http.Response r, String path) throws IOException {
        if (r.status() != 200) {
            throw new IOException("GET " + path + ": status " + r.status() + " (expected 200): " + r.body());
        }
        return r;
    }

    /**
     * Start-up alone, {@code times} times: banner after launch, and the JVM's CPU time until then. With {@code --a} or
     * {@code --b}, starts with A's and B's environment in turn instead ({@link #bannerAb}).
     */
    void banner(int times) throws IOException {
        if (!m.o.abA.isEmpty() || !m.o.abB.isEmpty()) {
            bannerAb(times);
            return;
        }
        List<Double> banners = new ArrayList<>();
        List<Double> cpus = new ArrayList<>();
        for (int i = 0; i < times; i++) {
            try (Serve s = m.serve("hello", engine, List.of("--skip-build"))) {
                long banner = s.await(Serve.BANNER_END, Main.FIRST_TIMEOUT);
                banners.add(banner / 1e6);
                cpus.add((double) s.cpuMillis());
                m.threads("until the banner", s, Map.of());
                Main.log(engine + " banner " + Stats.fmt(banner / 1e6) + " ms, JVM cpu " + s.cpuMillis() + " ms");
            }
        }
        m.report.row(
                "banner after launch, ms (median of " + times + ")",
                engine,
                Stats.median(banners),
                Double.NaN,
                "≤ 2000",
                Stats.median(banners) <= 2000);
        m.report.row("JVM CPU time until the banner, ms (median)", engine, Stats.median(cpus), Double.NaN, "", null);
    }

    /**
     * One start with A's environment, then one with B's, {@code times} rounds: never two servers at once (on 2 cores
     * they would share what one start can use in parallel), and whatever else loads the machine loads both alike. Per
     * start: the banner after launch, the JVM's CPU time until then and request 1 ({@code GET /}) right after it.
     */
    private void bannerAb(int times) throws IOException {
        Map<String, Map<String, List<Double>>> by = new LinkedHashMap<>();
        for (int i = 0; i < times; i++) {
            for (String side : List.of("A", "B")) {
                Map<String, String> env = new HashMap<>(m.o.env);
                env.putAll(side.equals("A") ? m.o.abA : m.o.abB);
                Map<String, List<Double>> values = by.computeIfAbsent(side, k -> new LinkedHashMap<>());
                Http.Response first;
                long banner;
                long cpu;
                Quiet.await("starting " + side);
                try (Serve s = Serve.start(
                                m.o.repo,
                                m.o.work.resolve("hello"),
                                engine,
                                m.port(),
                                List.of("--skip-build"),
                                env,
                                m.o.work.resolve("serve-banner-" + side + "-" + System.currentTimeMillis() + ".log"));
                        Http.Conn conn = m.http.conn(s.port)) {
                    banner = s.await(Serve.BANNER_END, Main.FIRST_TIMEOUT);
                    cpu = s.cpuMillis();
                    first = check(conn.get("/", TIMEOUT), "/");
                }
                values.computeIfAbsent("banner", k -> new ArrayList<>()).add(banner / 1e6);
                values.computeIfAbsent("cpu", k -> new ArrayList<>()).add((double) cpu);
                values.computeIfAbsent("first", k -> new ArrayList<>()).add(first.millis());
                Main.log(engine + " banner " + side + ": " + Stats.fmt(banner / 1e6) + " ms, JVM cpu " + cpu
                        + " ms, request 1 " + Stats.fmt(first.millis()) + " ms");
            }
        }
        for (var e : by.entrySet()) {
            String env = (e.getKey().equals("A") ? m.o.abA : m.o.abB).toString();
            Map<String, List<Double>> v = e.getValue();
            m.report.row(
                    "banner after launch, ms (median of " + times + "), " + e.getKey() + " " + env,
                    engine,
                    Stats.median(v.get("banner")),
                    Double.NaN,
                    "≤ 2000",
                    Stats.median(v.get("banner")) <= 2000);
            m.report.row(
                    "JVM CPU time until the banner, ms (median), " + e.getKey(),
                    engine,
                    Stats.median(v.get("cpu")),
                    Double.NaN,
                    "",
                    null);
            m.report.row(
                    "request 1 after the banner, ms (median), " + e.getKey(),
                    engine,
                    Stats.median(v.get("first")),
                    Double.NaN,
                    "",
                    null);
        }
    }

    void hello(boolean latency, boolean concurrency) throws IOException {
        try (Serve s = m.serve("hello", engine, List.of("--skip-build"));
                Http.Conn conn = m.http.conn(s.port)) {
            long banner = s.await(Serve.BANNER_END, Main.FIRST_TIMEOUT);
            Map<String, Long> cpu0 = s.cpuByThread();
            Main.log(engine + " hello: banner " + banner / 1_000_000 + " ms after launch; JVM cpu " + s.cpuMillis()
                    + " ms");
            Http.Conn ref = m.reference("hello");
            Pair first = alternate(s, conn, ref, "/", m.o.firstRequests, null);
            Main.log(engine + " hello first " + first.outpost().size() + ": " + Stats.list(first.outpost()));
            if (ref != null) {
                Main.log("wasmtime hello first: " + Stats.list(first.reference()));
            }
            m.threads("first requests", s, cpu0);
            double rssFirst = s.rssMib();
            if (latency) {
                m.report.row(
                        "hello: banner after launch, ms",
                        engine,
                        banner / 1e6,
                        Double.NaN,
                        "≤ 2000",
                        banner / 1e6 <= 2000);
                m.report.row(
                        "hello: request 1, ms",
                        engine,
                        first.outpost().get(0),
                        ref == null ? Double.NaN : first.reference().get(0),
                        "",
                        null);
                double med = Stats.median(Stats.range(first.outpost(), 21, 70));
                m.report.row(
                        "hello: median of requests 21–70, ms",
                        engine,
                        med,
                        ref == null ? Double.NaN : Stats.median(Stats.range(first.reference(), 21, 70)),
                        "≤ 3 ms",
                        med <= 3);
                m.report.row("serve RSS after the first requests, MiB", engine, rssFirst, Double.NaN, "", null);
                if (m.o.guestCpu) {
                    m.report.row(
                            "hello: requests 21–70, request threads' CPU per request (median), ms",
                            engine,
                            Stats.median(Stats.range(first.guestCpu(), 21, 70)),
                            Double.NaN,
                            "",
                            null);
                    Main.log(engine + " hello first, request threads' CPU ms: " + Stats.list(first.guestCpu()));
                }
            }
            Map<String, Long> cpu1 = s.cpuByThread();
            Pair steady = steady(s, conn, ref, "/", 300);
            m.threads("steady", s, cpu1);
            double rss = s.rssMib();
            if (latency) {
                double med = Stats.median(steady.outpost());
                m.report.row(
                        "hello: steady median (after " + steadySeconds + " s), ms",
                        engine,
                        med,
                        ref == null ? Double.NaN : Stats.median(steady.reference()),
                        "≤ 1.5 ms",
                        med <= 1.5);
                m.report.row(
                        "hello: steady p99, ms",
                        engine,
                        Stats.percentile(steady.outpost(), 99),
                        ref == null ? Double.NaN : Stats.percentile(steady.reference(), 99),
                        "",
                        null);
                if (m.o.guestCpu) {
                    m.report.row(
                            "hello: steady, request threads' CPU per request (median), ms",
                            engine,
                            Stats.median(steady.guestCpu()),
                            Double.NaN,
                            "",
                            null);
                }
                m.report.row(
                        "serve RSS with one JS app (hello, steady), MiB", engine, rss, Double.NaN, "≤ 400", rss <= 400);
            }
            if (concurrency) {
                concurrency(s);
            }
        }
    }

    /** Traffic for the steady-state stretch, then {@code n} measured requests each. */
    private Pair steady(Serve s, Http.Conn conn, Http.Conn ref, String path, int n) throws IOException {
        Main.log(engine + " " + path + ": " + steadySeconds + " s of traffic before the steady-state measurement");
        alternate(s, conn, ref, path, Integer.MAX_VALUE, Duration.ofSeconds(steadySeconds));
        Pair p = alternate(s, conn, ref, path, n, Duration.ofSeconds(Math.max(20, steadySeconds / 2)));
        Main.log(engine + " " + path + " steady: median " + Stats.fmt(Stats.median(p.outpost())) + " ms"
                + (ref == null ? "" : ", wasmtime " + Stats.fmt(Stats.median(p.reference())) + " ms"));
        return p;
    }

    void cpu(String name, String path, int requests) throws IOException {
        try (Serve s = m.serve("cpu", engine, List.of("--skip-build"));
                Http.Conn conn = m.http.conn(s.port)) {
            long banner = s.await(Serve.BANNER_END, Main.FIRST_TIMEOUT);
            Map<String, Long> cpu0 = s.cpuByThread();
            Http.Conn ref = m.reference("cpu");
            Pair first = alternate(s, conn, ref, path, requests, null);
            Main.log(engine + " " + name + " first " + requests + ": " + Stats.list(first.outpost()));
            if (ref != null) {
                Main.log("wasmtime " + name + " first: " + Stats.list(first.reference()));
            }
            m.threads("first requests", s, cpu0);
            double refMedian = ref == null ? Double.NaN : Stats.median(first.reference());
            m.report.row(name + ": banner after launch, ms", engine, banner / 1e6, Double.NaN, "", null);
            m.report.row(
                    name + ": request 1, ms",
                    engine,
                    first.outpost().get(0),
                    ref == null ? Double.NaN : first.reference().get(0),
                    "≤ 1000 ms",
                    first.outpost().get(0) <= 1000);
            if (m.o.guestCpu) {
                Main.log(engine + " " + name + " first, request threads' CPU ms: " + Stats.list(first.guestCpu()));
                m.report.row(
                        name + ": request 1 / median of 4–" + requests + ", request threads' CPU, ms",
                        engine,
                        Stats.fmt(first.guestCpu().get(0)) + " / "
                                + Stats.fmt(Stats.median(Stats.range(first.guestCpu(), 4, requests))),
                        "",
                        "",
                        "",
                        null);
            }
            if (first.outpost().size() >= 3) {
                m.report.row(
                        name + ": requests 2 and 3, ms",
                        engine,
                        Stats.fmt(first.outpost().get(1)) + ", "
                                + Stats.fmt(first.outpost().get(2)),
                        "",
                        "",
                        "",
                        null);
            }
            if (first.outpost().size() >= 4) {
                List<Double> rest = Stats.range(first.outpost(), 4, requests);
                double med = Stats.median(rest);
                m.report.row(
                        name + ": median of requests 4–" + requests + ", ms",
                        engine,
                        med,
                        refMedian,
                        "≤ 3× wasmtime",
                        ref == null ? null : med <= 3 * refMedian);
                double max = Stats.max(rest);
                m.report.row(
                        name + ": slowest of requests 4–" + requests + ", ms",
                        engine,
                        max,
                        refMedian,
                        "≤ 3× wasmtime",
                        ref == null ? null : max <= 3 * refMedian);
            }
            if (steadySeconds > 0 && !engine.equals("chicory")) {
                Map<String, Long> cpu1 = s.cpuByThread();
                Pair steady = steady(s, conn, ref, path, 60);
                m.threads("steady", s, cpu1);
                double med = Stats.median(steady.outpost());
                double refMed = ref == null ? Double.NaN : Stats.median(steady.reference());
                m.report.row(
                        name + ": steady median (after " + steadySeconds + " s), ms",
                        engine,
                        med,
                        refMed,
                        "≤ 1.5× wasmtime",
                        ref == null ? null : med <= 1.5 * refMed);
                if (m.o.guestCpu) {
                    m.report.row(
                            name + ": steady, request threads' CPU per request (median), ms",
                            engine,
                            Stats.median(steady.guestCpu()),
                            Double.NaN,
                            "",
                            null);
                }
            }
        }
    }

    /** Rounds of 1 client, then 8, each for a fixed time, on one server; throughput from the best round of each. */
    private void concurrency(Serve s) throws IOException {
        int seconds = m.o.concurrencySeconds;
        List<Double> one = new ArrayList<>();
        List<Double> eight = new ArrayList<>();
        List<Double> p99s = new ArrayList<>();
        for (int round = 0; round < 2; round++) {
            Load a = load(s.port, 1, seconds);
            Load b = load(s.port, 8, seconds);
            one.add(a.rate);
            eight.add(b.rate);
            p99s.add(Stats.percentile(b.latencies, 99));
            Main.log(engine + " concurrency round " + (round + 1) + ": 1 client " + Stats.fmt(a.rate)
                    + " req/s (p99 " + Stats.fmt(Stats.percentile(a.latencies, 99)) + " ms), 8 clients "
                    + Stats.fmt(b.rate) + " req/s (p99 " + Stats.fmt(p99s.getLast()) + " ms)");
        }
        double r1 = Collections.max(one);
        double r8 = Collections.max(eight);
        m.report.row(
                "hello: req/s, 1 client / 8 clients",
                engine,
                Stats.fmt(r1) + " / " + Stats.fmt(r8),
                "",
                String.format("%.2f×", r8 / r1),
                "≥ 1.6×",
                r8 / r1 >= 1.6);
        m.report.row("hello: p99 with 8 clients, ms", engine, Stats.fmt(Collections.min(p99s)), "", "", "", null);
    }

    private record Load(double rate, List<Double> latencies) {}

    private Load load(int port, int clients, int seconds) throws IOException {
        List<Double> latencies = Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean failed = new AtomicBoolean();
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        List<Thread> threads = new ArrayList<>();
        long started = System.nanoTime();
        for (int c = 0; c < clients; c++) {
            threads.add(Thread.ofPlatform().start(() -> {
                try (Http.Conn conn = m.http.conn(port)) {
                    while (System.nanoTime() < deadline) {
                        latencies.add(check(conn.get("/", TIMEOUT), "/").millis());
                    }
                } catch (IOException e) {
                    failed.set(true);
                    Main.log("client failed: " + e.getMessage());
                }
            }));
        }
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (failed.get()) {
            throw new IOException("a client failed");
        }
        double elapsed = (System.nanoTime() - started) / 1e9;
        return new Load(latencies.size() / elapsed, new ArrayList<>(latencies));
    }
}
