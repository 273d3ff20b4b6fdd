package dev.outpost.edge.cache;

import dev.outpost.edge.sandbox.CacheOverride;
import dev.outpost.edge.sandbox.HeaderList;
import dev.outpost.edge.sandbox.RequestState;
import dev.outpost.edge.sandbox.ResponseState;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * HTTP cache semantics as Fastly's readthrough cache applies them (its "HTTP caching semantics" guide, RFC 9111):
 * which requests are looked up, which responses are stored and for how long. Pure functions of request and response
 * heads.
 */
public final class HttpCachePolicy {
    /** Fresh for this long when a response says nothing about its freshness: Fastly's 2 minutes. */
    public static final long DEFAULT_TTL_NS = TimeUnit.MINUTES.toNanos(2);
    /** How long a response found not cacheable makes lookups of its key skip the cache (a hit-for-pass). */
    public static final long HIT_FOR_PASS_NS = TimeUnit.MINUTES.toNanos(2);

    private static final Set<Integer> CACHEABLE_STATUS = Set.of(200, 203, 300, 301, 302, 404, 410);

    private HttpCachePolicy() {}

    /** What to do with a backend response ({@code http_storage_action}, in the ABI's order). */
    public enum Storage {
        INSERT,
        UPDATE,
        DO_NOT_STORE,
        RECORD_UNCACHEABLE
    }

    /** Only GET and HEAD are looked up (RFC 9111's conservative reading, as Fastly's). */
    public static boolean cacheableRequest(String method) {
        return method.equals("GET") || method.equals("HEAD");
    }

    /** The default key of a request: SHA-256 of its URL and {@code Host}, 32 bytes. */
    public static byte[] cacheKey(RequestState request) {
        String host = request.headers.first("host");
        if (host == null) {
            try {
                host = new URI(request.uri).getRawAuthority();
            } catch (URISyntaxException e) {
                host = null;
            }
        }
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(request.uri.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            sha.update((host == null ? "" : host).getBytes(StandardCharsets.UTF_8));
            return sha.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /**
     * Whether to store {@code response}: not for a status outside 200, 203, 300, 301, 302, 404, 410; recorded as
     * uncacheable for {@code Cache-Control: private|no-store|no-cache} (unless {@code Surrogate-Control} speaks),
     * {@code Surrogate-Control: no-store}, {@code Set-Cookie} and {@code Vary: *}; a 304 updates the stale object it
     * revalidated.
     */
    public static Storage storage(ResponseState response, boolean revalidating) {
        if (response.status == 304 && revalidating) {
            return Storage.UPDATE;
        }
        if (!CACHEABLE_STATUS.contains(response.status)) {
            return Storage.DO_NOT_STORE;
        }
        Map<String, String> surrogate = directives(response.headers, "surrogate-control");
        Map<String, String> cacheControl = directives(response.headers, "cache-control");
        boolean refused = surrogate.isEmpty()
                ? cacheControl.containsKey("private")
                        || cacheControl.containsKey("no-store")
                        || cacheControl.containsKey("no-cache")
                : surrogate.containsKey("no-store");
        String vary = response.headers.first("vary");
        if (refused
                || response.headers.first("set-cookie") != null
                || (vary != null && vary.trim().equals("*"))) {
            return Storage.RECORD_UNCACHEABLE;
        }
        return Storage.INSERT;
    }

    /**
     * The write options {@code response} suggests: max age from {@code Surrogate-Control: max-age}, else
     * {@code Cache-Control: s-maxage}, else {@code max-age}, else {@code Expires} (against {@code Date}), else 2
     * minutes; initial age from {@code Age}; stale-while-revalidate and stale-if-error from the same headers; vary rule
     * from {@code Vary}; surrogate keys from {@code Surrogate-Key} (invalid ones skipped); length from
     * {@code Content-Length}.
     */
    public static CacheWrite suggested(ResponseState response) {
        Map<String, String> surrogate = directives(response.headers, "surrogate-control");
        Map<String, String> cacheControl = directives(response.headers, "cache-control");
        Long maxAge = number(surrogate.get("max-age"));
        if (maxAge == null) {
            maxAge = number(cacheControl.get("s-maxage"));
        }
        if (maxAge == null) {
            maxAge = number(cacheControl.get("max-age"));
        }
        long maxAgeNs = maxAge != null ? TimeUnit.SECONDS.toNanos(maxAge) : expires(response.headers);
        Long swr = number(surrogate.get("stale-while-revalidate"));
        if (swr == null) {
            swr = number(cacheControl.get("stale-while-revalidate"));
        }
        Long sie = number(surrogate.get("stale-if-error"));
        if (sie == null) {
            sie = number(cacheControl.get("stale-if-error"));
        }
        Long age = number(response.headers.first("age"));
        VaryRule vary;
        try {
            String header = response.headers.first("vary");
            vary = header == null ? VaryRule.NONE : VaryRule.parse(header);
        } catch (IllegalArgumentException e) {
            vary = VaryRule.NONE;
        }
        Set<String> keys = new LinkedHashSet<>();
        for (byte[] value : response.headers.values("surrogate-key")) {
            for (String key : new String(value, StandardCharsets.ISO_8859_1).split(" ")) {
                try {
                    keys.add(SurrogateKeys.validate(key));
                } catch (IllegalArgumentException e) {
                    // Fastly ignores a key it cannot use.
                }
            }
        }
        Long length = number(response.headers.first("content-length"));
        return new CacheWrite(
                maxAgeNs,
                age == null ? 0 : TimeUnit.SECONDS.toNanos(age),
                swr == null ? 0 : TimeUnit.SECONDS.toNanos(swr),
                sie == null ? 0 : TimeUnit.SECONDS.toNanos(sie),
                vary,
                new byte[0],
                length,
                false,
                keys,
                copy(response));
    }

    /**
     * Applies a request's {@link CacheOverride}: a TTL counts from now (on top of the response's age), a
     * stale-while-revalidate replaces the response's, PCI marks the object sensitive, surrogate keys are added.
     */
    public static CacheWrite override(CacheWrite write, CacheOverride override) {
        if (override == null || override == CacheOverride.NONE) {
            return write;
        }
        long maxAge = override.ttlSeconds() != null
                ? TimeUnit.SECONDS.toNanos(Integer.toUnsignedLong(override.ttlSeconds())) + write.initialAgeNs()
                : write.maxAgeNs();
        long swr = override.staleWhileRevalidateSeconds() != null
                ? TimeUnit.SECONDS.toNanos(Integer.toUnsignedLong(override.staleWhileRevalidateSeconds()))
                : write.staleWhileRevalidateNs();
        Set<String> keys = new LinkedHashSet<>(write.surrogateKeys());
        if (override.surrogateKeys() != null) {
            for (String key : override.surrogateKeys().split(" ")) {
                if (!key.isEmpty()) {
                    keys.add(key);
                }
            }
        }
        return new CacheWrite(
                maxAge,
                write.initialAgeNs(),
                swr,
                write.staleIfErrorNs(),
                write.varyRule(),
                write.userMetadata(),
                write.length(),
                write.sensitive() || override.pci(),
                keys,
                write.response());
    }

    /** The stale response's head refreshed with the headers of the 304 that revalidated it (RFC 9111 4.3.4). */
    public static ResponseState freshened(ResponseState stored, ResponseState notModified) {
        ResponseState out = copy(stored);
        for (String name : notModified.headers.names()) {
            if (name.equals("content-length") || name.equals("transfer-encoding") || name.equals("connection")) {
                continue;
            }
            out.headers.remove(name);
            for (byte[] value : notModified.headers.values(name)) {
                out.headers.append(name, value);
            }
        }
        return out;
    }

    /** The conditional headers to revalidate {@code stale} with: its validators, if it has any. */
    public static void addValidators(HeaderList request, ResponseState stale) {
        String etag = stale.headers.first("etag");
        if (etag != null) {
            request.insert("if-none-match", etag);
        }
        String modified = stale.headers.first("last-modified");
        if (modified != null) {
            request.insert("if-modified-since", modified);
        }
    }

    /** Whether {@code stale} can be revalidated with a conditional request. */
    public static boolean hasValidators(ResponseState stale) {
        return stale.headers.first("etag") != null || stale.headers.first("last-modified") != null;
    }

    public static ResponseState copy(ResponseState response) {
        ResponseState out = new ResponseState();
        out.status = response.status;
        out.version = response.version;
        out.headers = response.headers.copy();
        out.manualFraming = response.manualFraming;
        out.remote = response.remote;
        return out;
    }

    /** The directives of all {@code name} fields, names lower-cased, quotes removed. */
    static Map<String, String> directives(HeaderList headers, String name) {
        Map<String, String> out = new LinkedHashMap<>();
        for (byte[] value : headers.values(name)) {
            for (String part : new String(value, StandardCharsets.ISO_8859_1).split(",")) {
                String p = part.trim();
                if (p.isEmpty()) {
                    continue;
                }
                int eq = p.indexOf('=');
                String key = (eq < 0 ? p : p.substring(0, eq)).trim().toLowerCase(Locale.ROOT);
                String v = eq < 0 ? "" : p.substring(eq + 1).trim();
                if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
                    v = v.substring(1, v.length() - 1);
                }
                out.putIfAbsent(key, v);
            }
        }
        return out;
    }

    /** A non-negative integer (seconds, or a length), or null when absent or malformed. */
    private static Long number(String value) {
        if (value == null || value.isEmpty() || !value.trim().chars().allMatch(Character::isDigit)) {
            return null;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE / 1_000_000_000L;
        }
    }

    /** Freshness from {@code Expires} against {@code Date} (or now); an unparseable {@code Expires} is expired. */
    private static long expires(HeaderList headers) {
        String expires = headers.first("expires");
        if (expires == null) {
            return DEFAULT_TTL_NS;
        }
        try {
            ZonedDateTime at = ZonedDateTime.parse(expires.trim(), DateTimeFormatter.RFC_1123_DATE_TIME);
            String date = headers.first("date");
            ZonedDateTime base = ZonedDateTime.now();
            if (date != null) {
                try {
                    base = ZonedDateTime.parse(date.trim(), DateTimeFormatter.RFC_1123_DATE_TIME);
                } catch (DateTimeParseException e) {
                    // Keep now.
                }
            }
            long ns = Duration.between(base, at).toNanos();
            return Math.max(0, ns);
        } catch (DateTimeParseException | ArithmeticException e) {
            return 0;
        }
    }
}
