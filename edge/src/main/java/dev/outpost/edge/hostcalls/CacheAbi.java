package dev.outpost.edge.hostcalls;

import dev.outpost.edge.abi.FastlyStatus;
import dev.outpost.edge.abi.GuestMemory;
import dev.outpost.edge.abi.HostcallException;
import dev.outpost.edge.cache.CacheKey;
import dev.outpost.edge.cache.CacheWrite;
import dev.outpost.edge.cache.CachedObject;
import dev.outpost.edge.cache.SurrogateKeys;
import dev.outpost.edge.cache.VaryRule;
import dev.outpost.edge.sandbox.HeaderList;
import dev.outpost.edge.sandbox.Sandbox;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Set;

/**
 * The cache modules' records in guest memory ({@code cache.witx}, {@code http-cache.witx}), read and checked. Offsets
 * follow the wasm32 C layout of the witx records.
 */
final class CacheAbi {
    // cache_write_options_mask
    static final int W_REQUEST_HEADERS = 1 << 1;
    static final int W_VARY_RULE = 1 << 2;
    static final int W_INITIAL_AGE = 1 << 3;
    static final int W_SWR = 1 << 4;
    static final int W_SURROGATE_KEYS = 1 << 5;
    static final int W_LENGTH = 1 << 6;
    static final int W_USER_METADATA = 1 << 7;
    static final int W_SENSITIVE = 1 << 8;
    static final int W_EDGE_MAX_AGE = 1 << 9;
    static final int W_SERVICE_ID = 1 << 10;
    private static final int W_KNOWN = (1 << 11) - 2;
    // cache_lookup_options_mask
    static final int L_REQUEST_HEADERS = 1 << 1;
    static final int L_SERVICE_ID = 1 << 2;
    static final int L_ALWAYS_USE_REQUESTED_RANGE = 1 << 3;
    // cache_get_body_options_mask
    static final int B_FROM = 1 << 1;
    static final int B_TO = 1 << 2;

    private CacheAbi() {}

    static long i64(GuestMemory m, int address) {
        return ByteBuffer.wrap(m.read(address, 8))
                .order(ByteOrder.LITTLE_ENDIAN)
                .getLong();
    }

    static CacheKey coreKey(GuestMemory m, int ptr, int len) {
        if (len < 0 || len > CacheKey.MAX_LENGTH) {
            throw HostcallException.inval("cache key of " + Integer.toUnsignedString(len) + " bytes (expected: at most "
                    + CacheKey.MAX_LENGTH + ")");
        }
        return CacheKey.core(m.read(ptr, len));
    }

    static void unsupportedBits(int mask, int known, String what) {
        if ((mask & ~known) != 0) {
            throw new HostcallException(
                    FastlyStatus.UNSUPPORTED,
                    what + " mask 0x" + Integer.toHexString(mask) + " has unknown bits 0x"
                            + Integer.toHexString(mask & ~known));
        }
    }

    /** The request headers a lookup names ({@code cache_lookup_options}: request handle at 0, service id at 4). */
    static HeaderList lookupHeaders(Sandbox s, GuestMemory m, int mask, int ptr) {
        unsupportedBits(mask, L_REQUEST_HEADERS | L_SERVICE_ID | L_ALWAYS_USE_REQUESTED_RANGE, "cache lookup options");
        if ((mask & L_SERVICE_ID) != 0) {
            throw new HostcallException(
                    FastlyStatus.UNSUPPORTED, "cache lookup on behalf of another service is not supported locally");
        }
        return (mask & L_REQUEST_HEADERS) != 0
                ? s.requests.get(m.readI32(ptr)).headers.copy()
                : new HeaderList();
    }

    /** The request headers a write names ({@code cache_write_options.request_headers}, at 8), or none. */
    static HeaderList writeHeaders(Sandbox s, GuestMemory m, int mask, int ptr) {
        return (mask & W_REQUEST_HEADERS) != 0
                ? s.requests.get(m.readI32(ptr + 8)).headers.copy()
                : new HeaderList();
    }

    /**
     * Reads {@code cache_write_options}: max age 0, request headers 8, vary rule 12/16, initial age 24, swr 32,
     * surrogate keys 40/44, length 48, user metadata 56/60, edge max age 64, service id 72/76.
     */
    static CacheWrite coreWrite(GuestMemory m, int mask, int ptr) {
        unsupportedBits(mask, W_KNOWN, "cache write options");
        if ((mask & W_SERVICE_ID) != 0) {
            throw new HostcallException(
                    FastlyStatus.UNSUPPORTED, "cache insert on behalf of another service is not supported locally");
        }
        long maxAge = i64(m, ptr);
        VaryRule vary =
                (mask & W_VARY_RULE) != 0 ? varyRule(m, m.readI32(ptr + 12), m.readI32(ptr + 16)) : VaryRule.NONE;
        long initialAge = (mask & W_INITIAL_AGE) != 0 ? i64(m, ptr + 24) : 0;
        long swr = (mask & W_SWR) != 0 ? i64(m, ptr + 32) : 0;
        Set<String> keys =
                (mask & W_SURROGATE_KEYS) != 0 ? surrogateKeys(m, m.readI32(ptr + 40), m.readI32(ptr + 44)) : Set.of();
        Long length = (mask & W_LENGTH) != 0 ? i64(m, ptr + 48) : null;
        byte[] metadata =
                (mask & W_USER_METADATA) != 0 ? Guest.bytes(m, m.readI32(ptr + 56), m.readI32(ptr + 60)) : new byte[0];
        if ((mask & W_EDGE_MAX_AGE) != 0 && Long.compareUnsigned(i64(m, ptr + 64), maxAge) > 0) {
            throw HostcallException.inval("edge max age " + Long.toUnsignedString(i64(m, ptr + 64))
                    + " ns (expected: at most the max age, " + Long.toUnsignedString(maxAge) + " ns)");
        }
        return new CacheWrite(
                clamp(maxAge),
                clamp(initialAge),
                clamp(swr),
                0,
                vary,
                metadata,
                length,
                (mask & W_SENSITIVE) != 0,
                keys,
                null);
    }

    /** Durations are unsigned 64-bit nanoseconds; anything past 2^63 means "forever". */
    static long clamp(long unsignedNs) {
        return unsignedNs < 0 ? Long.MAX_VALUE : unsignedNs;
    }

    static VaryRule varyRule(GuestMemory m, int ptr, int len) {
        try {
            return VaryRule.parse(Guest.string(m, ptr, len, "vary rule"));
        } catch (IllegalArgumentException e) {
            throw HostcallException.inval(e.getMessage());
        }
    }

    static Set<String> surrogateKeys(GuestMemory m, int ptr, int len) {
        try {
            return SurrogateKeys.parse(Guest.string(m, ptr, len, "surrogate keys"));
        } catch (IllegalArgumentException e) {
            throw HostcallException.inval(e.getMessage());
        }
    }

    /** {@code cache_get_body_options} ({@code from} at 0, {@code to} at 8, both inclusive): [from, to] or nulls. */
    static Long[] range(GuestMemory m, int mask, int ptr) {
        unsupportedBits(mask, B_FROM | B_TO, "cache get_body options");
        Long from = (mask & B_FROM) != 0 ? i64(m, ptr) : null;
        Long to = (mask & B_TO) != 0 ? i64(m, ptr + 8) : null;
        return new Long[] {from, to};
    }

    /** The found object, or {@code none} as the ABI answers for a lookup that found nothing. */
    static CachedObject found(CachedObject found) {
        if (found == null) {
            throw new HostcallException(FastlyStatus.NONE, "the lookup found no usable object");
        }
        return found;
    }
}
