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
 * GRIP proxy's request, which it answers with a stream hold. Then one publish reaches all of them. A second round of
 * as many clients on the same server, the first round's closed, gives the rate once the guest code is compiled.
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
        Quiet.await("starting fanout");
        Main.log("starting ./outpost serve fanout (" + engine + ") on port " + edgePort + "; output in " + log);
        List<Http.Stream> streams = new ArrayList<>();
        try (Serve s = Serve.start(m.o.repo, project, engine, edgePort, args, m.o.env, log)) {
            s.await(Serve.BANNER_END, Main.FIRST_TIMEOUT);
            var cpu0 = s.cpuByThread();
            double rssBefore = s.rssMib();
            Round first = open(clients, edgePort, streams, "");
            m.threads("handoffs", s, cpu0);
            double rss = s.rssMib();
            first.report(clients, "");
            m.report.row(
                    "handoff: serve RSS with " + clients + " handed-off clients, MiB (before: " + Stats.fmt(rssBefore)
                            + ")",
                    engine,
                    rss,
                    Double.NaN,
                    "",
                    null);
            publish(publishPort, streams);
            // The same again on the server the first round warmed up: the rate once the guest code is compiled.
            for (int round = 2; round <= 1 + m.o.handoffRounds; round++) {
                String which = round == 2 ? "second round" : "round " + round;
                streams.forEach(Http.Stream::close);
                streams.clear();
                var cpu1 = s.cpuByThread();
                Round next = open(clients, edgePort, streams, " (" + which + ", same server)");
                m.threads("handoffs, " + which, s, cpu1);
                next.report(clients, ", " + which + " on the same server");
            }
        } finally {
            streams.forEach(Http.Stream::close);
        }
    }

    /** One round of clients opened with a fixed number in flight. */
    private final class Round {
        double seconds;
        double rate;
        double secondHalfRate;
        List<Double> latencies;

        void report(int clients, String which) {
            m.report.row(
                    "handoff: SSE clients opened per second (" + clients + ", " + m.o.inflight + " in flight" + which
                            + ")",
                    engine,
                    Stats.fmt(rate) + " (second half " + Stats.fmt(secondHalfRate) + ")",
                    "",
                    "",
                    "≥ 500/s",
                    rate >= 500);
            m.report.row(
                    "handoff: time to open, p50 / p99, ms" + which,
                    engine,
                    Stats.fmt(Stats.median(latencies)) + " / " + Stats.fmt(Stats.percentile(latencies, 99)),
                    "",
                    "",
                    "",
                    null);
        }
    }

    private Round open(int clients, int edgePort, List<Http.Stream> streams, String which) {
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
        Round r = new Round();
        r.seconds = (done - started) / 1e9;
        r.rate = clients / r.seconds;
        r.secondHalfRate = (clients - clients / 2) / ((done - halfway) / 1e9);
        r.latencies = new ArrayList<>(opens);
        if (failures.get() > 0) {
            m.report.note(engine + " handoff" + which + ": " + failures.get() + " of " + clients
                    + " clients failed, first: " + firstFailure.get());
        }
        Main.log(engine + " handoff" + which + ": " + clients + " opened in " + Stats.fmt(r.seconds) + " s ("
                + Stats.fmt(r.rate) + "/s; second half " + Stats.fmt(r.secondHalfRate) + "/s), open p50 "
                + Stats.fmt(Stats.median(r.latencies)) + " ms, p99 " + Stats.fmt(Stats.percentile(r.latencies, 99))
                + " ms");
        return r;
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
