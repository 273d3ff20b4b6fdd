package dev.outpost.bench.edge;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Fanout handoffs through the edge (the Fanout starter app): SSE clients of {@code /test/sse}, a fixed number in
 * flight. Each one runs the guest for the client's request (it hands off to backend {@code self}) and again for the
 * GRIP proxy's request, which it answers with a stream hold. Then one publish reaches all of them.
 */
final class Handoff {
    private final Main m;
    private final String engine;

    Handoff(Main m, String engine) {
        this.m = m;
        this.engine = engine;
    }

    void run(int clients) throws IOException {
        Path project = m.o.work.resolve("fanout");
        int edgePort = m.port();
        int proxyPort = m.port();
        int publishPort = m.port();
        // Backend 'self' is this edge: the proxy's request comes back to the guest.
        Files.writeString(project.resolve("fastly.toml"), """
                manifest_version = 3
                name = "bench-fanout"
                language = "javascript"

                [local_server.pushpin]
                enable = true

                [local_server.backends.self]
                url = "http://127.0.0.1:%d/"
                override_host = "127.0.0.1:%d"
                """.formatted(edgePort, edgePort));
        List<String> args = List.of(
                "--skip-build",
                "--pushpin-proxy-port",
                String.valueOf(proxyPort),
                "--pushpin-publish-port",
                String.valueOf(publishPort),
                "--inspector-port",
                "0");
        Path log = m.o.work.resolve("serve-" + engine + "-fanout-" + System.currentTimeMillis() + ".log");
        Main.log("starting ./outpost serve fanout (" + engine + ") on port " + edgePort + "; output in " + log);
        List<Http.Stream> streams = new ArrayList<>();
        try (Serve s = Serve.start(m.o.repo, project, engine, edgePort, args, m.o.env, log)) {
            s.await(Serve.BANNER_END, Main.FIRST_TIMEOUT);
            var cpu0 = s.cpuByThread();
            double rssBefore = s.rssMib();
            int inflight = m.o.inflight;
            Semaphore slots = new Semaphore(inflight);
            ConcurrentLinkedQueue<Double> opens = new ConcurrentLinkedQueue<>();
            AtomicInteger failures = new AtomicInteger();
            AtomicReference<Throwable> firstFailure = new AtomicReference<>();
            long started = System.nanoTime();
            long halfway = 0;
            for (int i = 0; i < clients; i++) {
                slots.acquireUninterruptibly();
                if (i == clients / 2) {
                    halfway = System.nanoTime();
                }
                Http.Stream st = m.http.new Stream(edgePort, "/test/sse");
                streams.add(st);
                st.opened.whenComplete((status, e) -> {
                    if (e != null || status != 200) {
                        failures.incrementAndGet();
                        firstFailure.compareAndSet(null, e != null ? e : new IOException("status " + status));
                    } else {
                        opens.add((st.openedAt - st.started) / 1e6);
                    }
                    slots.release();
                });
            }
            slots.acquireUninterruptibly(inflight);
            long done = System.nanoTime();
            double seconds = (done - started) / 1e9;
            double rate = clients / seconds;
            double secondHalfRate = (clients - clients / 2) / ((done - halfway) / 1e9);
            m.threads("handoffs", s, cpu0);
            if (failures.get() > 0) {
                m.report.note(engine + " handoff: " + failures.get() + " of " + clients + " clients failed, first: "
                        + firstFailure.get());
            }
            List<Double> latencies = new ArrayList<>(opens);
            Main.log(engine + " handoff: " + clients + " opened in " + Stats.fmt(seconds) + " s ("
                    + Stats.fmt(rate) + "/s; second half " + Stats.fmt(secondHalfRate) + "/s), open p50 "
                    + Stats.fmt(Stats.median(latencies)) + " ms, p99 " + Stats.fmt(Stats.percentile(latencies, 99))
                    + " ms");
            double rss = s.rssMib();
            m.report.row(
                    "handoff: SSE clients opened per second (" + clients + ", " + inflight + " in flight)",
                    engine,
                    Stats.fmt(rate) + " (second half " + Stats.fmt(secondHalfRate) + ")",
                    "",
                    "",
                    "≥ 500/s",
                    rate >= 500);
            m.report.row(
                    "handoff: time to open, p50 / p99, ms",
                    engine,
                    Stats.fmt(Stats.median(latencies)) + " / " + Stats.fmt(Stats.percentile(latencies, 99)),
                    "",
                    "",
                    "",
                    null);
            m.report.row(
                    "handoff: serve RSS with " + clients + " handed-off clients, MiB (before: " + Stats.fmt(rssBefore)
                            + ")",
                    engine,
                    rss,
                    Double.NaN,
                    "",
                    null);
            publish(publishPort, streams);
        } finally {
            streams.forEach(Http.Stream::close);
        }
    }

    /** One publish to channel {@code test}; how long until every client got it. */
    private void publish(int publishPort, List<Http.Stream> streams) throws IOException {
        List<Http.Stream> open = streams.stream()
                .filter(st -> st.opened.isDone() && !st.opened.isCompletedExceptionally())
                .toList();
        open.forEach(Http.Stream::mark);
        long t = System.nanoTime();
        try (Http.Conn c = m.http.conn(publishPort)) {
            Http.Response r = c.post(
                    "/publish/",
                    "{\"items\":[{\"channel\":\"test\",\"formats\":{\"http-stream\":{\"content\":\"data: hi\\n\\n\"}}}]}",
                    Duration.ofSeconds(30));
            if (r.status() != 200) {
                throw new IOException("publish: status " + r.status() + ": " + r.body());
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        long last = t;
        int got = 0;
        for (Http.Stream st : open) {
            try {
                long at = st.firstAfterMark.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                last = Math.max(last, at);
                got++;
            } catch (Exception e) {
                // missed
            }
        }
        m.report.row(
                "handoff: one publish reaches all held clients, ms",
                engine,
                Stats.fmt((last - t) / 1e6) + " (" + got + " of " + open.size() + ")",
                "",
                "",
                "",
                null);
    }
}
