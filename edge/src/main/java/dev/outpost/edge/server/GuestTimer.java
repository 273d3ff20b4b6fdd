package dev.outpost.edge.server;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The one timer thread that stops guest runs past their time limit (requests' and warm-up runs').
 *
 * <p>Nearly every limit is cancelled long before it is due: the run ended. A cancelled limit leaves the queue at once
 * rather than when it would have been due; with the default limit of 60 s a busy server otherwise held a minute of
 * requests' worth of them (217,000 at 3,600 requests per second, with the instance each would have stopped).
 */
final class GuestTimer {
    private static final ScheduledThreadPoolExecutor TIMER = new ScheduledThreadPoolExecutor(
            1, Thread.ofPlatform().daemon().name("edge-guest-limits").factory());

    static {
        TIMER.setRemoveOnCancelPolicy(true);
    }

    private GuestTimer() {}

    /** Runs {@code stop} after {@code millis} unless the returned future is cancelled first. */
    static ScheduledFuture<?> after(long millis, Runnable stop) {
        return TIMER.schedule(stop, millis, TimeUnit.MILLISECONDS);
    }

    /** Limits waiting to be due or cancelled (for tests). */
    static int pending() {
        return TIMER.getQueue().size();
    }
}
