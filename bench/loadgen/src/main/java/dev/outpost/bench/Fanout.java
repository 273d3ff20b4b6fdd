package dev.outpost.bench;

import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;

/** Delivery of one message id to n connections: who got it and when. */
final class Fanout implements Tracker {
    record Stats(int received, int lost, double p50Ms, double p99Ms, double lastMs) {}

    private final long id;
    private final int expected;
    private final AtomicLongArray at;
    private final CountDownLatch all;
    volatile long sentNanos;

    Fanout(long id, int connections, int expected) {
        this.id = id;
        this.expected = expected;
        this.at = new AtomicLongArray(connections);
        this.all = new CountDownLatch(expected);
    }

    @Override
    public void received(int conn, long msgId, long nanos) {
        if (msgId == id && at.compareAndSet(conn, 0, nanos)) {
            all.countDown();
        }
    }

    boolean await(long timeoutMs) throws InterruptedException {
        return all.await(timeoutMs, TimeUnit.MILLISECONDS);
    }

    Stats stats() {
        long[] lat = new long[at.length()];
        int n = 0;
        for (int i = 0; i < at.length(); i++) {
            long t = at.get(i);
            if (t != 0) {
                lat[n++] = t - sentNanos;
            }
        }
        lat = Arrays.copyOf(lat, n);
        Arrays.sort(lat);
        return new Stats(
                n, Math.max(0, expected - n), pct(lat, 0.50), pct(lat, 0.99), n == 0 ? Double.NaN : lat[n - 1] / 1e6);
    }

    /** The first delivery, ms after the publish was sent; NaN when none arrived. */
    double firstMs() {
        long first = Long.MAX_VALUE;
        for (int i = 0; i < at.length(); i++) {
            long t = at.get(i);
            if (t != 0) {
                first = Math.min(first, t - sentNanos);
            }
        }
        return first == Long.MAX_VALUE ? Double.NaN : first / 1e6;
    }

    private static double pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int idx = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, idx))] / 1e6;
    }

    /** Marks which connections saw any message with an id at or above a floor. */
    static final class Seen implements Tracker {
        private final long floor;
        final AtomicIntegerArray seen;
        private final CountDownLatch all;

        Seen(long floor, int connections, int expected) {
            this.floor = floor;
            this.seen = new AtomicIntegerArray(connections);
            this.all = new CountDownLatch(expected);
        }

        @Override
        public void received(int conn, long id, long nanos) {
            if (id >= floor && seen.compareAndSet(conn, 0, 1)) {
                all.countDown();
            }
        }

        boolean await(long timeoutMs) throws InterruptedException {
            return all.await(timeoutMs, TimeUnit.MILLISECONDS);
        }

        long missing() {
            return all.getCount();
        }
    }
}
