package dev.outpost.edge.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RateLimitsTest {
    private static final long SECOND = 1_000_000_000L;

    private final AtomicLong clock = new AtomicLong(123 * SECOND);
    private final RateLimits limits = new RateLimits(clock::get);

    private void later(long seconds) {
        clock.addAndGet(seconds * SECOND);
    }

    @Test
    void countsAndRatesCoverTheLastSecondsToTheSecond() {
        limits.increment("rc", "client", 5);
        later(1);
        limits.increment("rc", "client", 3);
        limits.increment("rc", "client", 2);

        assertThat(limits.count("rc", "client", 1)).isEqualTo(5);
        assertThat(limits.count("rc", "client", 10)).isEqualTo(10);
        assertThat(limits.rate("rc", "client", 10)).isEqualTo(1);
        assertThat(limits.count("rc", "other", 10)).isZero();
        assertThat(limits.count("other", "client", 10)).isZero();

        later(10);
        assertThat(limits.count("rc", "client", 10)).isZero();
        assertThat(limits.count("rc", "client", 60)).isEqualTo(10);
        later(60);
        assertThat(limits.count("rc", "client", 60)).isZero();
    }

    @Test
    void aBusyEntryCountsEveryIncrement() {
        for (int second = 0; second < 120; second++) {
            for (int i = 0; i < 1000; i++) {
                limits.increment("rc", "busy", 1);
            }
            later(1);
        }
        later(-1);
        assertThat(limits.count("rc", "busy", 60)).isEqualTo(60_000);
        assertThat(limits.rate("rc", "busy", 10)).isEqualTo(1000);
    }

    @Test
    void entriesIdleForAMinuteAreDropped() {
        for (int i = 0; i < 10_000; i++) {
            limits.increment("rc", "client-" + i, 1);
        }
        limits.penalize("pb", "boxed", 120);
        limits.penalize("pb", "briefly", 30);
        assertThat(limits.held()).isEqualTo(10_002);

        later(61);
        limits.increment("rc", "client-0", 1);
        // The sweep kept the entry counted since, and the penalty still running.
        assertThat(limits.held()).isEqualTo(2);
        assertThat(limits.count("rc", "client-0", 60)).isEqualTo(1);
        assertThat(limits.penalized("pb", "boxed")).isTrue();
        assertThat(limits.penalized("pb", "briefly")).isFalse();

        later(61);
        assertThat(limits.penalized("pb", "boxed")).isFalse();
        assertThat(limits.held()).isZero();
    }
}
