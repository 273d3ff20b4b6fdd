package dev.outpost.bench.edge;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * {@code serve --watch}: edits the app's source a few times; for each edit, the time from the end of the build (the
 * build script writes the clock into {@code bin/built-at} as its last step) to the first response of the new program.
 */
final class Watch {
    private static final int EDITS = 3;

    private final Main m;
    private final String engine;

    Watch(Main m, String engine) {
        this.m = m;
        this.engine = engine;
    }

    void run() throws IOException {
        Path project = m.o.work.resolve("watch");
        Path source = project.resolve("src/index.js");
        Path builtAt = project.resolve("bin/built-at");
        Files.writeString(source, app("v0"));
        try (Serve s = m.serve("watch", engine, List.of("--watch"));
                Http.Conn conn = m.http.conn(s.port)) {
            s.await(Serve.BANNER_END, Duration.ofMinutes(5));
            // A developer tries the app before editing it.
            for (int i = 0; i < 50; i++) {
                conn.get("/", Duration.ofSeconds(60));
            }
            StringBuilder all = new StringBuilder();
            double worst = 0;
            for (int edit = 1; edit <= EDITS; edit++) {
                Serve.sleep(2000);
                String body = "v" + edit;
                long before = Files.exists(builtAt)
                        ? Files.getLastModifiedTime(builtAt).toMillis()
                        : 0;
                int lines = s.lineCount();
                Files.writeString(source, app(body));
                long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
                while ((!Files.exists(builtAt)
                                || Files.getLastModifiedTime(builtAt).toMillis() <= before)
                        && System.nanoTime() < deadline) {
                    Serve.sleep(2);
                }
                Serve.sleep(5); // let the build script finish writing
                long built = Long.parseLong(Files.readString(builtAt).strip());
                String got = "";
                while (!got.equals(body) && System.nanoTime() < deadline) {
                    got = conn.get("/", Duration.ofSeconds(60)).body();
                }
                Instant at = Instant.now();
                long now = at.getEpochSecond() * 1_000_000_000L + at.getNano();
                double ms = (now - built) / 1e6;
                if (!got.equals(body)) {
                    throw new IOException("--watch: the new program never answered:\n" + s.tail(20));
                }
                s.awaitAfter("Reloaded", lines, Duration.ofSeconds(30));
                Main.log(engine + " watch edit " + edit + ": first response of the new program " + Stats.fmt(ms)
                        + " ms after the build ended");
                all.append(edit == 1 ? "" : ", ").append(Stats.fmt(ms));
                worst = Math.max(worst, ms);
            }
            m.report.row(
                    "--watch: first response after the build ends, ms (3 edits)",
                    engine,
                    all.toString(),
                    "",
                    "",
                    "≤ 1000 ms",
                    worst <= 1000);
        }
    }

    static String app(String body) {
        return """
                /// <reference types="@fastly/js-compute" />
                addEventListener('fetch', (event) => {
                  event.respondWith(new Response('%s', { status: 200, headers: { 'content-type': 'text/plain' } }));
                });
                """.formatted(body);
    }
}
