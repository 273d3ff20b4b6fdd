package dev.outpost.serve;

import java.io.PrintStream;
import java.util.Locale;

/**
 * One phase of {@code serve}'s start (npm install, the app's build, loading the program): a line when it starts, a
 * line every few seconds while it runs, a line with the time it took. Whole lines only, so nothing printed meanwhile
 * (build output, a log line) ends up in the middle of one (issue #18).
 */
final class Progress implements AutoCloseable {
    static final long TICK_MILLIS = 5000;

    private final PrintStream out;
    private final long started = System.nanoTime();
    private final Thread ticker;

    private Progress(PrintStream out, long tickMillis) {
        this.out = out;
        this.ticker = Thread.ofPlatform().daemon().name("serve-progress").start(() -> {
            try {
                while (true) {
                    Thread.sleep(tickMillis);
                    out.println("  ... " + Math.round(seconds()) + " s");
                    out.flush();
                }
            } catch (InterruptedException e) {
                // the phase is over
            }
        });
    }

    /** Prints {@code what} and starts ticking. */
    static Progress start(PrintStream out, String what) {
        out.println(what);
        out.flush();
        return new Progress(out, TICK_MILLIS);
    }

    double seconds() {
        return (System.nanoTime() - started) / 1e9;
    }

    /** The elapsed time as shown: {@code 9.6 s}. */
    String elapsed() {
        return String.format(Locale.ROOT, "%.1f s", seconds());
    }

    /** Stops ticking and prints {@code line} followed by the elapsed time, e.g. "Built in 9.6 s.". */
    void done(String line) {
        stop();
        out.println(line + " " + elapsed() + ".");
        out.flush();
    }

    private void stop() {
        ticker.interrupt();
        try {
            ticker.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops ticking without a closing line (the phase failed; its error says why). */
    @Override
    public void close() {
        stop();
    }
}
