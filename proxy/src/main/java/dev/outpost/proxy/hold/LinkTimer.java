package dev.outpost.proxy.hold;

import dev.outpost.grip.instruct.NextLink;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * When a stream's next link goes stale: unless every channel saw an item within the link's timeout, {@code due} runs
 * (and the stream fetches the link), as Pushpin's HTTP session does. The stream's event loop only.
 */
final class LinkTimer {
    private final EventExecutor executor;
    private final Runnable due;
    private ScheduledFuture<?> timer;
    /** Channels that saw an item since the timer was armed; made at the first. */
    private Set<String> active;

    LinkTimer(EventExecutor executor, Runnable due) {
        this.executor = executor;
        this.due = due;
    }

    /** Starts the wait for {@code link} afresh; no link, or one without a timeout, waits for nothing. */
    void arm(NextLink link) {
        cancel();
        if (link != null && link.timeoutSeconds() >= 0) {
            if (active != null) {
                active.clear();
            }
            timer = executor.schedule(
                    () -> {
                        timer = null;
                        due.run();
                    },
                    Math.max(1, link.timeoutSeconds()),
                    TimeUnit.SECONDS);
        }
    }

    void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    /** {@code channel} saw an item; when every one of {@code chans} has, {@code link} is fresh again. */
    void active(String channel, HoldChannel[] chans, NextLink link) {
        if (link == null || timer == null) {
            return;
        }
        if (active == null) {
            active = new HashSet<>();
        }
        active.add(channel);
        for (HoldChannel c : chans) {
            if (!active.contains(c.name())) {
                return;
            }
        }
        arm(link);
    }
}
