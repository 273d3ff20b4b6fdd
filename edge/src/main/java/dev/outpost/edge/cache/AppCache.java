package dev.outpost.edge.cache;

import java.util.Objects;

/**
 * What the requests of one served app share of the cache: the store, and whether backend requests sent with
 * {@code send}/{@code send_async} read through it (as on Fastly) or go straight to the backend (as on Viceroy).
 */
public record AppCache(CacheStore store, boolean readthrough) {
    public AppCache {
        Objects.requireNonNull(store, "store");
    }

    /** A store of the default size, readthrough on. */
    public static AppCache defaults() {
        return new AppCache(new CacheStore(CacheStore.DEFAULT_CAPACITY), true);
    }
}
