package dev.outpost.edge.sandbox;

import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Edge rate limiting state in memory: rate counters (deltas with timestamps, kept for the longest window the ABI
 * offers) and penalty boxes (entries with an expiry). Shared by all requests of an app.
 */
public final class RateLimits {
    /** The ABI's longest window and duration, in seconds. */
    private static final long KEEP_NANOS = 60L * 1_000_000_000;

    private record Hit(long at, long delta) {}

    private final Map<String, ArrayDeque<Hit>> counters = new ConcurrentHashMap<>();
    private final Map<String, Long> penalties = new ConcurrentHashMap<>();

    private static String key(String table, String entry) {
        return table + '\0' + entry;
    }

    public void increment(String counter, String entry, long delta) {
        ArrayDeque<Hit> hits = counters.computeIfAbsent(key(counter, entry), k -> new ArrayDeque<>());
        long now = System.nanoTime();
        synchronized (hits) {
            hits.addLast(new Hit(now, delta));
            while (!hits.isEmpty() && now - hits.peekFirst().at() > KEEP_NANOS) {
                hits.pollFirst();
            }
        }
    }

    /** The sum of deltas in the last {@code seconds}. */
    public long count(String counter, String entry, long seconds) {
        ArrayDeque<Hit> hits = counters.get(key(counter, entry));
        if (hits == null) {
            return 0;
        }
        long since = System.nanoTime() - seconds * 1_000_000_000;
        long sum = 0;
        synchronized (hits) {
            for (Hit h : hits) {
                if (h.at() >= since) {
                    sum += h.delta();
                }
            }
        }
        return sum;
    }

    /** Events per second over the last {@code windowSeconds}. */
    public long rate(String counter, String entry, long windowSeconds) {
        return windowSeconds <= 0 ? 0 : count(counter, entry, windowSeconds) / windowSeconds;
    }

    public void penalize(String box, String entry, long ttlSeconds) {
        penalties.put(key(box, entry), System.nanoTime() + ttlSeconds * 1_000_000_000);
    }

    public boolean penalized(String box, String entry) {
        Long until = penalties.get(key(box, entry));
        if (until == null) {
            return false;
        }
        if (System.nanoTime() - until > 0) {
            penalties.remove(key(box, entry), until);
            return false;
        }
        return true;
    }
}
