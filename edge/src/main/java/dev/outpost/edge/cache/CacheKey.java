package dev.outpost.edge.cache;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * A cache key: up to {@value #MAX_LENGTH} bytes. Keys of the HTTP cache live in a namespace of their own, so a core
 * cache key never meets an HTTP cache key of the same bytes.
 */
public final class CacheKey {
    /** The longest key Fastly accepts: 4 KiB. */
    public static final int MAX_LENGTH = 4096;

    private final byte[] bytes;
    private final boolean http;
    private final int hash;

    private CacheKey(byte[] bytes, boolean http) {
        if (bytes.length > MAX_LENGTH) {
            throw new IllegalArgumentException(
                    "cache key of " + bytes.length + " bytes (expected: at most " + MAX_LENGTH + ")");
        }
        this.bytes = bytes.clone();
        this.http = http;
        this.hash = Arrays.hashCode(bytes) * 31 + (http ? 1 : 0);
    }

    /** A key of the core cache ({@code fastly_cache}). */
    public static CacheKey core(byte[] bytes) {
        return new CacheKey(bytes, false);
    }

    /** A key of the HTTP cache ({@code fastly_http_cache} and the readthrough cache). */
    public static CacheKey http(byte[] bytes) {
        return new CacheKey(bytes, true);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CacheKey k && k.http == http && Arrays.equals(k.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return (http ? "http:" : "core:") + HexFormat.of().formatHex(bytes, 0, Math.min(bytes.length, 32));
    }
}
