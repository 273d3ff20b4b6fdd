package dev.outpost.edge.hostcalls;

import dev.outpost.edge.abi.FastlyStatus;
import dev.outpost.edge.abi.GuestMemory;
import dev.outpost.edge.abi.HostcallException;
import dev.outpost.edge.cache.CacheKey;
import dev.outpost.edge.cache.CacheWrite;
import dev.outpost.edge.cache.VaryRule;
import dev.outpost.edge.sandbox.ResponseState;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * {@code http-cache.witx}'s records in guest memory. {@code http_cache_write_options}: max age 0, vary rule 8/12,
 * initial age 16, stale-while-revalidate 24, surrogate keys 32/36, length 40, stale-if-error 48.
 * {@code http_cache_lookup_options}: override key 0/4, backend name 8/12.
 */
final class HttpCacheAbi {
    static final int VARY_RULE = 1 << 1;
    static final int INITIAL_AGE = 1 << 2;
    static final int SWR = 1 << 3;
    static final int SURROGATE_KEYS = 1 << 4;
    static final int LENGTH = 1 << 5;
    static final int SENSITIVE = 1 << 6;
    static final int SIE = 1 << 7;
    private static final int KNOWN = VARY_RULE | INITIAL_AGE | SWR | SURROGATE_KEYS | LENGTH | SENSITIVE | SIE;
    static final int OVERRIDE_KEY = 1 << 1;
    static final int BACKEND_NAME = 1 << 2;

    private HttpCacheAbi() {}

    /** The override key of a lookup, or null for the request's own key. The backend name changes nothing locally. */
    static CacheKey overrideKey(GuestMemory m, int mask, int ptr) {
        CacheAbi.unsupportedBits(mask, OVERRIDE_KEY | BACKEND_NAME, "http cache lookup options");
        if ((mask & OVERRIDE_KEY) == 0) {
            return null;
        }
        int len = m.readI32(ptr + 4);
        if (len != 32) {
            throw HostcallException.inval(
                    "http cache override key of " + Integer.toUnsignedString(len) + " bytes (expected: 32)");
        }
        return CacheKey.http(m.read(m.readI32(ptr), len));
    }

    /** Reads write options for storing {@code response}. */
    static CacheWrite write(GuestMemory m, int mask, int ptr, ResponseState response) {
        CacheAbi.unsupportedBits(mask, KNOWN, "http cache write options");
        long maxAge = CacheAbi.clamp(CacheAbi.i64(m, ptr));
        VaryRule vary =
                (mask & VARY_RULE) != 0 ? CacheAbi.varyRule(m, m.readI32(ptr + 8), m.readI32(ptr + 12)) : VaryRule.NONE;
        long initialAge = (mask & INITIAL_AGE) != 0 ? CacheAbi.clamp(CacheAbi.i64(m, ptr + 16)) : 0;
        long swr = (mask & SWR) != 0 ? CacheAbi.clamp(CacheAbi.i64(m, ptr + 24)) : 0;
        Set<String> keys = (mask & SURROGATE_KEYS) != 0
                ? CacheAbi.surrogateKeys(m, m.readI32(ptr + 32), m.readI32(ptr + 36))
                : Set.of();
        Long length = (mask & LENGTH) != 0 ? CacheAbi.i64(m, ptr + 40) : null;
        long sie = (mask & SIE) != 0 ? CacheAbi.clamp(CacheAbi.i64(m, ptr + 48)) : 0;
        return new CacheWrite(
                maxAge, initialAge, swr, sie, vary, new byte[0], length, (mask & SENSITIVE) != 0, keys, response);
    }

    /**
     * {@code get_suggested_cache_options}: writes the options {@code mask} asks for to {@code out}, strings into the
     * buffers {@code in} names, and to {@code maskOut} which of them are present. A string that does not fit gets its
     * needed length and, after everything else is written, {@code buflen}.
     */
    static void writeSuggested(GuestMemory m, CacheWrite w, int mask, int in, int maskOut, int out) {
        CacheAbi.unsupportedBits(mask, KNOWN, "http cache write options");
        int present = 0;
        boolean tooSmall = false;
        m.writeI64(out, w.maxAgeNs());
        if ((mask & INITIAL_AGE) != 0) {
            m.writeI64(out + 16, w.initialAgeNs());
            present |= INITIAL_AGE;
        }
        if ((mask & SWR) != 0) {
            m.writeI64(out + 24, w.staleWhileRevalidateNs());
            present |= SWR;
        }
        if ((mask & SIE) != 0) {
            m.writeI64(out + 48, w.staleIfErrorNs());
            present |= SIE;
        }
        if ((mask & LENGTH) != 0 && w.length() != null) {
            m.writeI64(out + 40, w.length());
            present |= LENGTH;
        }
        if ((mask & SENSITIVE) != 0 && w.sensitive()) {
            present |= SENSITIVE;
        }
        if ((mask & VARY_RULE) != 0 && !w.varyRule().headers().isEmpty()) {
            present |= VARY_RULE;
            tooSmall |= !string(m, w.varyRule().spaced(), in + 8, out + 8);
        }
        if ((mask & SURROGATE_KEYS) != 0 && !w.surrogateKeys().isEmpty()) {
            present |= SURROGATE_KEYS;
            tooSmall |= !string(m, String.join(" ", w.surrogateKeys()), in + 32, out + 32);
        }
        m.writeI32(maskOut, present);
        if (tooSmall) {
            throw new HostcallException(
                    FastlyStatus.BUFLEN,
                    "get_suggested_cache_options: a buffer is too small (its needed length given)");
        }
    }

    /** Copies {@code value} into the buffer the input record names; false (and the needed length) when too small. */
    private static boolean string(GuestMemory m, String value, int inField, int outField) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        int ptr = m.readI32(inField);
        int capacity = m.readI32(inField + 4);
        m.writeI32(outField, ptr);
        m.writeI32(outField + 4, bytes.length);
        if (Integer.toUnsignedLong(capacity) < bytes.length) {
            return false;
        }
        m.write(ptr, bytes);
        return true;
    }
}
