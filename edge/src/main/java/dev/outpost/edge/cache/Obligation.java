package dev.outpost.edge.cache;

import dev.outpost.edge.sandbox.HeaderList;

/**
 * One client's duty, from a transactional lookup, to insert or revalidate an object that other clients of the same
 * key may be waiting for (request collapsing). Ends exactly once: by an insert, an update, a hit-for-pass record, or
 * by being abandoned (then a waiting client gets the duty).
 */
public final class Obligation {
    private final CacheStore store;
    private final CacheStore.KeyEntry entry;
    private final VaryRule.Variant variant;
    private final HeaderList requestHeaders;
    private final CachedObject stale;
    private boolean done;

    Obligation(
            CacheStore store,
            CacheStore.KeyEntry entry,
            VaryRule.Variant variant,
            HeaderList requestHeaders,
            CachedObject stale) {
        this.store = store;
        this.entry = entry;
        this.variant = variant;
        this.requestHeaders = requestHeaders.copy();
        this.stale = stale;
    }

    CacheStore.KeyEntry entry() {
        return entry;
    }

    VaryRule.Variant variant() {
        return variant;
    }

    /** The request headers of the lookup (the variant an insert lands in is selected by them). */
    public HeaderList requestHeaders() {
        return requestHeaders.copy();
    }

    /** The stale object this obligation is to revalidate, or null for a plain miss. */
    public CachedObject stale() {
        return stale;
    }

    public synchronized boolean done() {
        return done;
    }

    /** Marks it done; false when it already was. */
    synchronized boolean finish() {
        if (done) {
            return false;
        }
        done = true;
        return true;
    }

    /**
     * Fulfils the obligation with a new object.
     *
     * @throws IllegalStateException when it was already fulfilled or abandoned
     */
    public CachedObject insert(CacheWrite write, CollectedBody body) {
        return store.fulfil(this, write, body);
    }

    /**
     * Fulfils the obligation by freshening the stale object: new metadata, the same body.
     *
     * @throws IllegalStateException when there is no stale object, or it was already fulfilled or abandoned
     */
    public CachedObject update(CacheWrite write) {
        if (stale == null) {
            throw new IllegalStateException("nothing to update: the lookup found no object (insert instead)");
        }
        return store.fulfil(this, write, stale.body());
    }

    /**
     * Fulfils the obligation by recording that responses for this variant are not cacheable for {@code maxAgeNs}:
     * lookups meanwhile neither find anything nor wait for each other (a hit-for-pass).
     */
    public void recordNotCacheable(long maxAgeNs) {
        store.pass(this, maxAgeNs);
    }

    /** Gives the obligation up (idempotent): a client waiting for it gets it instead. */
    public void abandon() {
        store.release(this);
    }
}
