package dev.outpost.bench.edge;

import static org.slf4j.Logger.ROOT_LOGGER_NAME;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import dev.outpost.edge.server.EdgeConfig;
import dev.outpost.edge.server.EdgeServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.LoggerFactory;

/**
 * The edge benchmark: starts {@code ./outpost serve} the way a user does and measures the first minute (banner,
 * first requests), steady state, concurrency, {@code --watch} reloads and Fanout handoffs, each latency next to
 * wasmtime (wasmtime-java, in this JVM, behind Outpost's own HTTP server and hostcalls) measured in the same run,
 * request by request in turn. Run through {@code bench/edge/run.sh}, which compiles the apps and builds this.
 */
public final class Main {
    final Options o;
    final Report report = new Report();
    final Http http = new Http(1);
    private final Map<String, EdgeServer> references = new HashMap<>();
    private int nextPort;

    Main(Options o) {
        this.o = o;
        this.nextPort = o.portFrom;
    }

    /** Command-line options; see {@code run.sh --help}. */
    static final class Options {
        Path repo = Path.of("").toAbsolutePath();
        Path work;
        Path out;
        List<String> engines = List.of("graalwasm", "chicory");
        List<String> scenarios = List.of("hello", "fib", "json", "concurrency", "watch", "handoff");
        int steadySeconds = 120;
        int chicorySteadySeconds = 30;
        int firstRequests = 70;
        int cpuRequests = 30;
        int concurrencySeconds = 10;
        int clients = 2000;
        int inflight = 50;
        /** Rounds of handoff clients on the same server after the first. */
        int handoffRounds = 1;

        int portFrom;
        int portTo;
        boolean reference = true;
        boolean threads;
        boolean prime = true;
        boolean guestCpu;
        String abApp = "cpu";
        List<String> abPaths = List.of("/", "/fib", "/json");
        int abRequests = 600;
        Map<String, String> abA = new LinkedHashMap<>();
        Map<String, String> abB = new LinkedHashMap<>();
        Map<String, String> env = new LinkedHashMap<>();
    }

    public static void main(String[] args) throws Exception {
        Options o = parse(args);
        ((Logger) LoggerFactory.getLogger(ROOT_LOGGER_NAME)).setLevel(Level.WARN);
        Main m = new Main(o);
        try {
            m.run();
        } finally {
            m.close();
        }
        String md = m.report.markdown();
        System.out.println(md);
        if (o.out != null) {
            Files.writeString(o.out, md);
        }
        System.exit(0);
    }

    private static Options parse(String[] args) {
        Options o = new Options();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (a) {
                case "--repo" -> o.repo = Path.of(args[++i]);
                case "--work" -> o.work = Path.of(args[++i]);
                case "--out" -> o.out = Path.of(args[++i]);
                case "--engines" -> o.engines = List.of(args[++i].split(","));
                case "--scenarios" -> o.scenarios = List.of(args[++i].split(","));
                case "--steady" -> o.steadySeconds = Integer.parseInt(args[++i]);
                case "--chicory-steady" -> o.chicorySteadySeconds = Integer.parseInt(args[++i]);
                case "--requests" -> o.firstRequests = Integer.parseInt(args[++i]);
                case "--cpu-requests" -> o.cpuRequests = Integer.parseInt(args[++i]);
                case "--concurrency-seconds" -> o.concurrencySeconds = Integer.parseInt(args[++i]);
                case "--clients" -> o.clients = Integer.parseInt(args[++i]);
                case "--inflight" -> o.inflight = Integer.parseInt(args[++i]);
                case "--serve-arg" -> Serve.EXTRA_ARGS.add(args[++i]);
                case "--handoff-rounds" -> o.handoffRounds = Integer.parseInt(args[++i]);
                case "--ports" -> {
                    String[] r = args[++i].split("-");
                    o.portFrom = Integer.parseInt(r[0]);
                    o.portTo = Integer.parseInt(r[1]);
                }
                case "--no-reference" -> o.reference = false;
                case "--threads" -> o.threads = true;
                case "--no-prime" -> o.prime = false;
                case "--guest-cpu" -> o.guestCpu = true;
                case "--ab-app" -> o.abApp = args[++i];
                case "--ab-paths" -> o.abPaths = List.of(args[++i].split(","));
                case "--ab-requests" -> o.abRequests = Integer.parseInt(args[++i]);
                case "--a", "--b" -> {
                    String kv = args[++i];
                    (a.equals("--a") ? o.abA : o.abB)
                            .put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
                }
                case "--env" -> {
                    String kv = args[++i];
                    o.env.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
                }
                default -> throw new IllegalArgumentException("unknown argument: " + a + (v == null ? "" : ""));
            }
        }
        if (o.work == null) {
            throw new IllegalArgumentException("--work DIR is required (the compiled apps)");
        }
        return o;
    }

    void run() throws Exception {
        if (o.prime) {
            prime();
        }
        if (o.scenarios.contains("ab")) {
            new AB(this).run();
            return;
        }
        if (o.reference) {
            for (String app : List.of("hello", "cpu")) {
                if (needs(app)) {
                    startReference(app);
                }
            }
            // The reference runs in an Outpost edge server, whose warm-up (made-up requests while idle, at most 3
            // minutes) warms the hostcalls' Java code: let it end, so the reference is at its best and its warm-up
            // does not share the cores with the starts and first requests measured next.
            if (!references.isEmpty()) {
                Quiet.await("measuring (the references' warm-up)", 240_000);
            }
        }
        for (String engine : o.engines) {
            boolean chicory = engine.equals("chicory");
            int steady = chicory ? o.chicorySteadySeconds : o.steadySeconds;
            Latency latency = new Latency(this, engine, steady);
            if (o.scenarios.contains("banner")) {
                latency.banner(3);
            }
            if (o.scenarios.contains("hello") || o.scenarios.contains("concurrency")) {
                latency.hello(o.scenarios.contains("hello"), o.scenarios.contains("concurrency"));
            }
            if (o.scenarios.contains("fib")) {
                latency.cpu("fib", "/fib", chicory ? 4 : o.cpuRequests);
            }
            if (o.scenarios.contains("json")) {
                latency.cpu("json", "/json", chicory ? 6 : o.cpuRequests);
            }
            if (o.scenarios.contains("watch") && !chicory) {
                new Watch(this, engine).run();
            }
            if (o.scenarios.contains("handoff")) {
                new Handoff(this, engine).run(chicory ? Math.min(o.clients, 200) : o.clients);
            }
        }
    }

    /**
     * Makes the JVM's start-up cache the launcher keeps for this build (cli/target/outpost.aot) when there is none, the
     * way a user gets it: a first serve that records (some requests of every kind, then the server's own warm-up),
     * then one start that has it assembled (in the background). Measured starts then all use it.
     */
    private void prime() throws IOException, InterruptedException {
        Path cache = o.repo.resolve("cli/target/outpost.aot");
        Path jar = o.repo.resolve("cli/target/outpost.jar");
        if (!Files.isDirectory(o.repo.resolve("cli/target/runtime"))
                || o.env.containsKey("OUTPOST_AOT")
                || Files.exists(cache)
                        && Files.getLastModifiedTime(cache).compareTo(Files.getLastModifiedTime(jar)) > 0) {
            return;
        }
        log("no AOT cache for this build: one recording run of serve, then one start that assembles it");
        try (Serve s = serve("cpu", "graalwasm", List.of("--skip-build"));
                Http.Conn conn = http.conn(s.port)) {
            s.await(Serve.BANNER_END, FIRST_TIMEOUT);
            for (String path : List.of("/", "/fib", "/json", "/", "/fib", "/json", "/")) {
                conn.get(path, Duration.ofMinutes(2));
            }
            Serve.sleep(20_000); // the server's warm-up runs while it is idle
        }
        ProcessBuilder assemble = new ProcessBuilder(
                        o.repo.resolve("outpost").toString(),
                        "run",
                        o.work.resolve("hello/bin/main.wasm").toString())
                .redirectErrorStream(true)
                .redirectOutput(o.work.resolve("aot-assemble.log").toFile());
        assemble.environment().put("OUTPOST_SKIP_BUILD", "1");
        assemble.environment().put("OUTPOST_AOT_DELAY", "0"); // nothing to keep it from here
        assemble.start().waitFor();
        // that start left the assembly to a job of its own: wait for it (or its failure marker)
        Path failed = o.repo.resolve("cli/target/outpost.aot.failed");
        for (int i = 0; i < 600 && !Files.exists(cache) && !Files.exists(failed); i++) {
            Serve.sleep(500);
        }
        log("AOT cache " + (Files.exists(cache) ? "made: " + Files.size(cache) / (1 << 20) + " MiB" : "not made"));
    }

    private boolean needs(String app) {
        return app.equals("hello")
                ? o.scenarios.contains("hello") || o.scenarios.contains("concurrency")
                : o.scenarios.contains("fib") || o.scenarios.contains("json");
    }

    private void startReference(String app) {
        long t = System.nanoTime();
        EdgeServer server = new EdgeServer(EdgeConfig.of(o.work.resolve(app).resolve("bin/main.wasm"))
                        .withAddress(new InetSocketAddress("127.0.0.1", port()))
                        .withEngine("wasmtime")
                        .withLogSink((endpoint, message) -> {}))
                .start();
        references.put(app, server);
        log("wasmtime reference for " + app + " on port " + server.port() + " (compiled in "
                + (System.nanoTime() - t) / 1_000_000 + " ms)");
    }

    /** The wasmtime server of an app, or null without references. */
    Http.Conn reference(String app) {
        EdgeServer s = references.get(app);
        return s == null ? null : http.conn(s.port());
    }

    /** A free port: from --ports when given, else one the kernel picks. */
    int port() {
        if (o.portFrom == 0) {
            try (ServerSocket s = new ServerSocket(0)) {
                return s.getLocalPort();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        for (int tries = 0; tries <= o.portTo - o.portFrom; tries++) {
            int p = nextPort;
            nextPort = nextPort >= o.portTo ? o.portFrom : nextPort + 1;
            try (ServerSocket s = new ServerSocket()) {
                s.setReuseAddress(false);
                s.bind(new InetSocketAddress("127.0.0.1", p));
                return p;
            } catch (IOException e) {
                // taken
            }
        }
        throw new IllegalStateException("no free port in " + o.portFrom + "-" + o.portTo);
    }

    Serve serve(String app, String engine, List<String> args) throws IOException {
        int port = port();
        List<String> all = new ArrayList<>(args);
        Path log = o.work.resolve("serve-" + engine + "-" + app + "-" + System.currentTimeMillis() + ".log");
        Quiet.await("starting " + app);
        log("starting ./outpost serve " + app + " (" + engine + ") on port " + port + "; output in " + log);
        return Serve.start(o.repo, o.work.resolve(app), engine, port, all, o.env, log);
    }

    /** Prints the CPU time per thread group used since {@code before} (with --threads). */
    void threads(String phase, Serve s, Map<String, Long> before) {
        if (!o.threads) {
            return;
        }
        Map<String, Long> now = s.cpuByThread();
        StringBuilder sb = new StringBuilder("cpu ms by thread, " + phase + ":");
        now.forEach((k, v) -> {
            long d = v - before.getOrDefault(k, 0L);
            if (d >= 20) {
                sb.append(' ').append(k).append('=').append(d);
            }
        });
        log(sb.toString());
    }

    static void log(String s) {
        System.err.printf("[%tT] %s%n", System.currentTimeMillis(), s);
    }

    static final Duration FIRST_TIMEOUT = Duration.ofMinutes(3);

    private void close() {
        references.values().forEach(EdgeServer::close);
        http.close();
    }
}
