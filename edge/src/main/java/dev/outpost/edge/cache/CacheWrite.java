package dev.outpost.edge.cache;

import dev.outpost.edge.sandbox.ResponseState;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;

/**
 * How an object is written to the cache: its freshness, variance and tags, as the ABI's write options give them.
 *
 * @param maxAgeNs how long the object is fresh, counted from its initial age
 * @param initialAgeNs how old the object already was when inserted
 * @param staleWhileRevalidateNs how long after {@code maxAgeNs} a stale object may still be served while one client
 *     revalidates it
 * @param staleIfErrorNs how long after {@code maxAgeNs} a stale object may be served when revalidation fails (HTTP
 *     cache)
 * @param length the body's declared length, or null
 * @param sensitive PCI/HIPAA data: kept in memory only (as everything here is)
 * @param response for the HTTP cache, the stored response's status and headers; null for the core cache
 */
public record CacheWrite(
        long maxAgeNs,
        long initialAgeNs,
        long staleWhileRevalidateNs,
        long staleIfErrorNs,
        VaryRule varyRule,
        byte[] userMetadata,
        Long length,
        boolean sensitive,
        Set<String> surrogateKeys,
        ResponseState response) {

    public CacheWrite {
        Objects.requireNonNull(varyRule, "varyRule");
        Objects.requireNonNull(userMetadata, "userMetadata");
        Objects.requireNonNull(surrogateKeys, "surrogateKeys");
        // In the order given: they are reported back (get_surrogate_keys) as written.
        surrogateKeys = Collections.unmodifiableSet(new LinkedHashSet<>(surrogateKeys));
        if (maxAgeNs < 0 || initialAgeNs < 0 || staleWhileRevalidateNs < 0 || staleIfErrorNs < 0) {
            throw new IllegalArgumentException("cache durations must not be negative (max age " + maxAgeNs
                    + " ns, initial age " + initialAgeNs + " ns)");
        }
    }

    /** Fresh for {@code maxAgeNs}, nothing else. */
    public static CacheWrite ofMaxAge(long maxAgeNs) {
        return new CacheWrite(maxAgeNs, 0, 0, 0, VaryRule.NONE, new byte[0], null, false, Set.of(), null);
    }

    public CacheWrite withResponse(ResponseState response) {
        return new CacheWrite(
                maxAgeNs,
                initialAgeNs,
                staleWhileRevalidateNs,
                staleIfErrorNs,
                varyRule,
                userMetadata,
                length,
                sensitive,
                surrogateKeys,
                response);
    }

    /** What the metadata costs in memory, roughly: the store counts it with the body. */
    long footprint() {
        long size = 256 + userMetadata.length;
        for (String key : surrogateKeys) {
            size += key.length() + 16;
        }
        if (response != null) {
            for (var field : response.headers.fields()) {
                size += field.name().length() + field.value().length + 32;
            }
        }
        return size;
    }
}
