package dev.outpost.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import sun.misc.Signal;

/**
 * How a long-running command ({@code proxy}, {@code serve}) stops: SIGTERM or SIGINT (Ctrl-C) is a normal stop, so the
 * command closes what it runs and exits 0, as its help says; by default the JVM would exit 143 or 130. A second signal
 * during the stop exits at once with 128 + the signal's number. Any other way the JVM ends (SIGHUP, say) still closes
 * what runs, through a shutdown hook.
 */
final class StopSignal {
    private StopSignal() {}

    /** Blocks until SIGTERM or SIGINT, then runs {@code stop} on this thread. */
    static void await(Runnable stop) throws InterruptedException {
        CountDownLatch signalled = new CountDownLatch(1);
        AtomicBoolean stopping = new AtomicBoolean();
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                Signal.handle(new Signal(name), s -> {
                    if (signalled.getCount() == 0) {
                        // asked twice: no more waiting
                        Runtime.getRuntime().halt(128 + s.getNumber());
                    }
                    signalled.countDown();
                });
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                // the platform does not let this signal be handled: the shutdown hook below still closes everything
            }
        }
        Thread hook = new Thread(
                () -> {
                    if (stopping.compareAndSet(false, true)) {
                        stop.run();
                    }
                },
                "outpost-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        signalled.await();
        if (stopping.compareAndSet(false, true)) {
            stop.run();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down
        }
    }
}
