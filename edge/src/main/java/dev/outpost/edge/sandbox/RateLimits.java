package dev.outpost.edge.sandbox;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Edge rate limiting state in memory: rate counters and penalty boxes, shared by all requests of an app.
 *
 * <p>A counter keeps one sum per second for the ABI's longest window (60 s), so a busy entry holds at most 61 sums
 * however many increments it gets, and windows are counted to the second. Entries that have seen nothing for 60 s
 * and penalties past their time are swept every few seconds: memory follows the entries of the last minute, not
 * every entry a long-running server has seen (guests typically count per client address).
 */
public final class RateLimits {
    /** The ABI's longest window and count duration, in seconds. */
    private static final long KEEP_SECONDS = 60;

    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final long SWEEP_NANOS = 5 * NANOS_PER_SECOND;

    /** The sums of one entry, oldest first: {second, sum} pairs, at most one per second. */
    private static final class Counter {
        private final ArrayDeque<long[]> seconds = new ArrayDeque<>(2);

        synchronized void add(long second, long delta) {
            long[] newest = seconds.peekLast();
            if (newest != null && newest[0] == second) {
                newest[1] += delta;
            } else {
                seconds.addLast(new long[] {second, delta});
            }
            dropBefore(second - KEEP_SECONDS);
        }

        /** The sum over the {@code span} seconds ending with {@code second}. */
        synchronized long sum(long second, long span) {
            long from = second - span + 1;
            long sum = 0;
            for (Iterator<long[]> it = seconds.descendingIterator(); it.hasNext(); ) {
                long[] s = it.next();
                if (s[0] < from) {
                    break;
                }
                sum += s[1];
            }
            return sum;
        }

        /** Drops the sums older than {@code second}; true when none is left. */
        synchronized boolean dropBefore(long second) {
            while (!seconds.isEmpty() && seconds.peekFirst()[0] < second) {
                seconds.pollFirst();
            }
            return seconds.isEmpty();
        }
    }

    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Map<String, Long> penalties = new ConcurrentHashMap<>();
    private final LongSupplier nanoTime;
    private final long start;
    private final AtomicLong nextSweep;

    public RateLimits() {
        this(System::nanoTime);
    }

    /** With a clock of its own (for tests). */
    RateLimits(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
        this.start = nanoTime.getAsLong();
        this.nextSweep = new AtomicLong(start + SWEEP_NANOS);
    }

    private static String key(String table, String entry) {
        return table + '\0' + entry;
    }

    private long second(long now) {
        return (now - start) / NANOS_PER_SECOND;
    }

    public void increment(String counter, String entry, long delta) {
        long second = second(now());
        // Under the entry's lock in the map, so that a sweep cannot drop the counter while this adds to it.
        counters.compute(key(counter, entry), (k, c) -> {
            Counter added = c == null ? new Counter() : c;
            added.add(second, delta);
            return added;
        });
    }

    /** The sum of deltas in the last {@code seconds} (the current second and the ones before it). */
    public long count(String counter, String entry, long seconds) {
        long now = now();
        Counter c = counters.get(key(counter, entry));
        return c == null || seconds <= 0 ? 0 : c.sum(second(now), Math.min(seconds, KEEP_SECONDS));
    }

    /** Events per second over the last {@code windowSeconds}. */
    public long rate(String counter, String entry, long windowSeconds) {
        return windowSeconds <= 0 ? 0 : count(counter, entry, windowSeconds) / windowSeconds;
    }

    public void penalize(String box, String entry, long ttlSeconds) {
        penalties.put(key(box, entry), now() + ttlSeconds * NANOS_PER_SECOND);
    }

    public boolean penalized(String box, String entry) {
        long now = now();
        Long until = penalties.get(key(box, entry));
        if (until == null) {
            return false;
        }
        if (now - until > 0) {
            penalties.remove(key(box, entry), until);
            return false;
        }
        return true;
    }

    /** Counter entries and penalties held (for tests). */
    int held() {
        return counters.size() + penalties.size();
    }

    /** The time, and a sweep when one is due (done by whichever caller sees it due first). */
    private long now() {
        long now = nanoTime.getAsLong();
        long due = nextSweep.get();
        if (now - due >= 0 && nextSweep.compareAndSet(due, now + SWEEP_NANOS)) {
            long oldest = second(now) - KEEP_SECONDS;
            for (String k : counters.keySet()) {
                counters.computeIfPresent(k, (key, c) -> c.dropBefore(oldest) ? null : c);
            }
            penalties.entrySet().removeIf(e -> now - e.getValue() > 0);
        }
        return now;
    }
}
