package dev.outpost.edge.cache;

import dev.outpost.edge.sandbox.HeaderList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * One object in the cache: how it was written, the request that wrote it (its headers select the variant), when, and
 * its body. Immutable but for its hit count and the soft-purge mark; an update makes a new object sharing the body.
 */
public final class CachedObject {
    private final CacheWrite write;
    private final HeaderList requestHeaders;
    private final long insertedNanos;
    private final CollectedBody body;
    private final LongSupplier clock;
    private final AtomicLong hits = new AtomicLong();
    private volatile boolean softPurged;
    /** Store bookkeeping, under the store's lock: whether it is in the store and what it was charged. */
    boolean stored;

    long charged;

    CachedObject(CacheWrite write, HeaderList requestHeaders, CollectedBody body, LongSupplier clock) {
        this.write = write;
        this.requestHeaders = requestHeaders.copy();
        this.body = body;
        this.clock = clock;
        this.insertedNanos = clock.getAsLong();
    }

    public CacheWrite write() {
        return write;
    }

    public HeaderList requestHeaders() {
        return requestHeaders.copy();
    }

    public CollectedBody body() {
        return body;
    }

    /** Time since insertion plus the initial age. */
    public long ageNs() {
        return Math.max(0, clock.getAsLong() - insertedNanos) + write.initialAgeNs();
    }

    /** Within its max age and not soft-purged. */
    public boolean fresh() {
        return !softPurged && ageNs() < write.maxAgeNs();
    }

    /** Fresh, or stale within its stale-while-revalidate period. */
    public boolean usable() {
        return ageNs() < saturatedSum(write.maxAgeNs(), write.staleWhileRevalidateNs());
    }

    /** Usable, or stale within its stale-if-error period (served only when revalidation fails). */
    public boolean usableIfError() {
        return usable() || ageNs() < saturatedSum(write.maxAgeNs(), write.staleIfErrorNs());
    }

    private static long saturatedSum(long a, long b) {
        long sum = a + b;
        return sum < 0 ? Long.MAX_VALUE : sum;
    }

    /** Lookups that found this object. */
    public long hits() {
        return hits.get();
    }

    void hit() {
        hits.incrementAndGet();
    }

    void softPurge() {
        softPurged = true;
    }

    /** The body length when known (complete, or declared). */
    public Long length() {
        return body.length();
    }
}
