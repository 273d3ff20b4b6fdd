package dev.outpost.edge.sandbox;

/**
 * A request's cache override ({@code cache_override_set}, {@code cache_override_v2_set}): how the readthrough cache
 * treats its response instead of (or besides) the response's own headers.
 *
 * @param pass neither looked up nor stored
 * @param ttlSeconds fresh for this long (from when it is stored), or null for the response's headers
 * @param staleWhileRevalidateSeconds or null for the response's headers
 * @param pci PCI/HIPAA data (the object is marked sensitive)
 * @param surrogateKeys space-separated keys added to the response's {@code Surrogate-Key}, or null
 */
public record CacheOverride(
        boolean pass, Integer ttlSeconds, Integer staleWhileRevalidateSeconds, boolean pci, String surrogateKeys) {
    public static final CacheOverride NONE = new CacheOverride(false, null, null, false, null);

    // cache_override_tag
    private static final int PASS = 1;
    private static final int TTL = 1 << 1;
    private static final int SWR = 1 << 2;
    private static final int PCI = 1 << 3;

    /**
     * From the ABI's tag and values, as Viceroy reads them: {@code pass} wins over everything else.
     *
     * @throws IllegalArgumentException for unknown tag bits
     */
    public static CacheOverride fromAbi(int tag, int ttl, int swr, String surrogateKeys) {
        if ((tag & ~(PASS | TTL | SWR | PCI)) != 0) {
            throw new IllegalArgumentException("cache override tag 0x" + Integer.toHexString(tag)
                    + " (expected: a combination of pass 1, ttl 2, stale_while_revalidate 4, pci 8)");
        }
        if ((tag & PASS) != 0) {
            return new CacheOverride(true, null, null, false, null);
        }
        return new CacheOverride(
                false,
                (tag & TTL) != 0 ? ttl : null,
                (tag & SWR) != 0 ? swr : null,
                (tag & PCI) != 0,
                surrogateKeys == null || surrogateKeys.isEmpty() ? null : surrogateKeys);
    }
}
