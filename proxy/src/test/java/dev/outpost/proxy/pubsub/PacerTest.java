package dev.outpost.proxy.pubsub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@code message_rate} and {@code message_hwm} as a value: time given by the test. */
class PacerTest {
    static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    final List<Integer> out = new ArrayList<>();

    @Test
    void aTenthOfASecondsWorthGoesOutAtOnceAndTheRestAtTheRate() {
        Pacer<Integer> p = new Pacer<>(100, -1, 0);
        for (int i = 0; i < 30; i++) {
            assertThat(p.offer(i)).isTrue();
        }
        p.release(0, out::add);
        assertThat(out).hasSize(10);
        assertThat(p.waiting()).isEqualTo(20);
        // one token per 10 ms
        assertThat(p.nanosUntilNext()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(10));
        p.release(SECOND / 20, out::add);
        assertThat(out).hasSize(15);
        p.release(SECOND, out::add);
        assertThat(out).hasSize(25).startsWith(0, 1, 2).endsWith(24);
        p.release(2 * SECOND, out::add);
        assertThat(out).hasSize(30);
        assertThat(p.nanosUntilNext()).isEqualTo(-1);
    }

    @Test
    void aLowRateStillLetsOneThroughAndWaitsAtLeastAMillisecond() {
        Pacer<Integer> p = new Pacer<>(1, -1, 0);
        p.offer(1);
        p.offer(2);
        p.release(0, out::add);
        assertThat(out).containsExactly(1);
        assertThat(p.nanosUntilNext()).isEqualTo(SECOND);
        p.release(SECOND, out::add);
        assertThat(out).containsExactly(1, 2);

        Pacer<Integer> fast = new Pacer<>(1_000_000, -1, 0);
        for (int i = 0; i < 200_000; i++) {
            fast.offer(i);
        }
        fast.release(0, x -> {});
        assertThat(fast.nanosUntilNext()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(1));
    }

    @Test
    void pastTheHighWaterMarkMoreAreRefused() {
        Pacer<Integer> p = new Pacer<>(10, 3, 0);
        assertThat(p.offer(0)).isTrue();
        assertThat(p.offer(1)).isTrue();
        assertThat(p.offer(2)).isTrue();
        assertThat(p.offer(3)).isFalse();
        // the bucket holds one token: one goes, two wait, one more fits
        p.release(0, out::add);
        assertThat(out).containsExactly(0);
        assertThat(p.offer(3)).isTrue();
        assertThat(p.offer(4)).isFalse();
        assertThat(p.waiting()).isEqualTo(3);
    }

    @Test
    void clearingHandsBackWhatWaits() {
        Pacer<Integer> p = new Pacer<>(1, -1, 0);
        p.offer(1);
        p.offer(2);
        p.offer(3);
        p.release(0, out::add);
        List<Integer> discarded = new ArrayList<>();
        p.clear(discarded::add);
        assertThat(discarded).containsExactly(2, 3);
        assertThat(p.waiting()).isZero();
    }

    @Test
    void aRateIsRequired() {
        assertThatThrownBy(() -> new Pacer<>(0, -1, 0)).hasMessage("rate: 0 (expected: > 0)");
    }
}
