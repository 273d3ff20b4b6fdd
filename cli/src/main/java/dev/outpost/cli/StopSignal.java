package dev.outpost.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import sun.misc.Signal;

/**
 * How a long-running command ({@code proxy}, {@code serve}) stops: SIGTERM or SIGINT (Ctrl-C) is a normal stop, so the
 * command exits 0, as its help says (the JVM's own handling exits 143 or 130).
 *
 * <p>{@link #install()} comes first, before anything starts: a signal while the command is still starting (a build,
 * say) ends it at once. Once {@link #arm} has named what runs, a signal closes that first, in {@link #await}; a second
 * signal during the stop exits at once with 128 + its number. Any other way the JVM ends (SIGHUP, say) still closes
 * what runs, through a shutdown hook.
 */
final class StopSignal {
    private final CountDownLatch signalled = new CountDownLatch(1);
    private final AtomicBoolean stopping = new AtomicBoolean();
    private volatile Runnable stop;

    private StopSignal() {}

    /** Handles SIGTERM and SIGINT from now on. */
    static StopSignal install() {
        StopSignal s = new StopSignal();
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                Signal.handle(new Signal(name), s::received);
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                // the platform does not let this signal be handled: the shutdown hook still closes what runs
            }
        }
        return s;
    }

    private void received(Signal sig) {
        if (stop == null) {
            // nothing runs yet that needs closing
            System.exit(0);
        } else if (signalled.getCount() == 0) {
            // asked twice: no more waiting
            Runtime.getRuntime().halt(128 + sig.getNumber());
        }
        signalled.countDown();
    }

    /** From now on a signal (or the JVM's end) runs {@code action} to stop what runs. */
    void arm(Runnable action) {
        stop = action;
        try {
            Runtime.getRuntime().addShutdownHook(new Thread(this::stopOnce, "outpost-shutdown"));
        } catch (IllegalStateException e) {
            // a signal during the start already ends the JVM: close what was just started
            stopOnce();
        }
    }

    /** Blocks until SIGTERM or SIGINT, then stops what {@link #arm} named, on this thread. */
    void await() throws InterruptedException {
        signalled.await();
        stopOnce();
    }

    private void stopOnce() {
        Runnable action = stop;
        if (action != null && stopping.compareAndSet(false, true)) {
            action.run();
        }
    }
}
