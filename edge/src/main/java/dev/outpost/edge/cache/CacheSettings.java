package dev.outpost.edge.cache;

/**
 * How an app's cache is set up ({@code outpost serve --cache-size}, {@code --no-readthrough-cache}).
 *
 * @param capacityBytes the most bytes (bodies and metadata) the cache holds before it evicts the least recently used
 * @param readthrough whether backend requests sent with {@code send}/{@code send_async} go through the cache, as on
 *     Fastly
 */
public record CacheSettings(long capacityBytes, boolean readthrough) {
    public static final CacheSettings DEFAULT = new CacheSettings(CacheStore.DEFAULT_CAPACITY, true);

    public CacheSettings {
        if (capacityBytes < 1) {
            throw new IllegalArgumentException("cache size: " + capacityBytes + " bytes (expected: at least 1)");
        }
    }

    /** A fresh, empty cache with these settings. */
    public AppCache newCache() {
        return new AppCache(new CacheStore(capacityBytes), readthrough);
    }
}
