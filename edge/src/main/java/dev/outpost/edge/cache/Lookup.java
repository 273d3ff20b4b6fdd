package dev.outpost.edge.cache;

/**
 * What a lookup found.
 *
 * @param found a usable object (fresh, or stale within its stale-while-revalidate period), or null
 * @param obligation for a transaction: this client is to insert or revalidate, or null
 * @param staleIfError with an obligation and nothing usable: a stale object that may stand in if revalidation fails,
 *     or null
 */
public record Lookup(CachedObject found, Obligation obligation, CachedObject staleIfError) {
    public static final Lookup MISS = new Lookup(null, null, null);

    /** The ABI's {@code cache_lookup_state} flags. */
    public static final int FOUND = 1;

    public static final int USABLE = 2;
    public static final int STALE = 4;
    public static final int MUST_INSERT_OR_UPDATE = 8;
    public static final int USABLE_IF_ERROR = 16;

    /** The {@code cache_lookup_state} of this result: {@code found} and {@code usable} go together, as on Fastly. */
    public int state() {
        int state = 0;
        if (found != null) {
            state |= FOUND | USABLE;
            if (!found.fresh()) {
                state |= STALE;
            }
        }
        if (obligation != null && !obligation.done()) {
            state |= MUST_INSERT_OR_UPDATE;
            if (found == null && staleIfError != null) {
                state |= USABLE_IF_ERROR;
            }
        }
        return state;
    }
}
