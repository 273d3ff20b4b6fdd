package dev.outpost.edge.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.edge.cache.HttpCachePolicy.Storage;
import dev.outpost.edge.sandbox.CacheOverride;
import dev.outpost.edge.sandbox.RequestState;
import dev.outpost.edge.sandbox.ResponseState;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Which responses are stored, for how long, per Fastly's reading of the headers. */
class HttpCachePolicyTest {
    private static ResponseState response(int status, String... headers) {
        ResponseState r = new ResponseState();
        r.status = status;
        for (int i = 0; i < headers.length; i += 2) {
            r.headers.append(headers[i], headers[i + 1]);
        }
        return r;
    }

    private static long seconds(long ns) {
        return TimeUnit.NANOSECONDS.toSeconds(ns);
    }

    @Test
    void theTtlComesFromSurrogateControlThenSMaxAgeThenMaxAgeThenExpires() {
        assertThat(seconds(HttpCachePolicy.suggested(response(
                                200, "surrogate-control", "max-age=300", "cache-control", "s-maxage=200, max-age=100"))
                        .maxAgeNs()))
                .isEqualTo(300);
        assertThat(seconds(HttpCachePolicy.suggested(response(200, "cache-control", "max-age=100, s-maxage=200"))
                        .maxAgeNs()))
                .isEqualTo(200);
        assertThat(seconds(HttpCachePolicy.suggested(response(200, "cache-control", "public, max-age=100"))
                        .maxAgeNs()))
                .isEqualTo(100);
        assertThat(seconds(HttpCachePolicy.suggested(response(
                                200,
                                "date",
                                "Mon, 01 Jan 2024 00:00:00 GMT",
                                "expires",
                                "Mon, 01 Jan 2024 00:10:00 GMT"))
                        .maxAgeNs()))
                .isEqualTo(600);
        assertThat(HttpCachePolicy.suggested(response(200, "expires", "0")).maxAgeNs())
                .isZero();
        assertThat(HttpCachePolicy.suggested(response(200)).maxAgeNs()).isEqualTo(HttpCachePolicy.DEFAULT_TTL_NS);
    }

    @Test
    void staleWindowsAgeVaryKeysAndLength() {
        CacheWrite w = HttpCachePolicy.suggested(response(
                200,
                "cache-control",
                "max-age=60, stale-while-revalidate=30, stale-if-error=\"90\"",
                "age",
                "7",
                "vary",
                "Accept-Encoding, X-Lang",
                "surrogate-key",
                "a b bad\u0001key",
                "content-length",
                "12"));
        assertThat(seconds(w.staleWhileRevalidateNs())).isEqualTo(30);
        assertThat(seconds(w.staleIfErrorNs())).isEqualTo(90);
        assertThat(seconds(w.initialAgeNs())).isEqualTo(7);
        assertThat(w.varyRule().headers()).containsExactly("accept-encoding", "x-lang");
        assertThat(w.surrogateKeys()).containsExactlyInAnyOrder("a", "b");
        assertThat(w.length()).isEqualTo(12);
    }

    @Test
    void whatIsNotStored() {
        assertThat(HttpCachePolicy.storage(response(200), false)).isEqualTo(Storage.INSERT);
        assertThat(HttpCachePolicy.storage(response(404), false)).isEqualTo(Storage.INSERT);
        assertThat(HttpCachePolicy.storage(response(500), false)).isEqualTo(Storage.DO_NOT_STORE);
        assertThat(HttpCachePolicy.storage(response(304), false)).isEqualTo(Storage.DO_NOT_STORE);
        assertThat(HttpCachePolicy.storage(response(304), true)).isEqualTo(Storage.UPDATE);
        assertThat(HttpCachePolicy.storage(response(200, "cache-control", "private"), false))
                .isEqualTo(Storage.RECORD_UNCACHEABLE);
        assertThat(HttpCachePolicy.storage(response(200, "cache-control", "no-store"), false))
                .isEqualTo(Storage.RECORD_UNCACHEABLE);
        assertThat(HttpCachePolicy.storage(response(200, "set-cookie", "a=1"), false))
                .isEqualTo(Storage.RECORD_UNCACHEABLE);
        assertThat(HttpCachePolicy.storage(response(200, "vary", "*"), false)).isEqualTo(Storage.RECORD_UNCACHEABLE);
        // Surrogate-Control speaks for Fastly, Cache-Control for browsers.
        assertThat(HttpCachePolicy.storage(
                        response(200, "cache-control", "no-store", "surrogate-control", "max-age=60"), false))
                .isEqualTo(Storage.INSERT);
        assertThat(HttpCachePolicy.storage(response(200, "surrogate-control", "no-store"), false))
                .isEqualTo(Storage.RECORD_UNCACHEABLE);
    }

    @Test
    void aCacheOverrideTtlCountsFromNowAndAddsKeys() {
        CacheWrite w = HttpCachePolicy.suggested(response(200, "cache-control", "max-age=5", "age", "3"));
        CacheWrite o = HttpCachePolicy.override(w, CacheOverride.fromAbi(2 | 4 | 8, 100, 20, "k1 k2"));
        assertThat(seconds(o.maxAgeNs())).isEqualTo(103);
        assertThat(seconds(o.staleWhileRevalidateNs())).isEqualTo(20);
        assertThat(o.sensitive()).isTrue();
        assertThat(o.surrogateKeys()).containsExactlyInAnyOrder("k1", "k2");
    }

    @Test
    void theKeyIsTheUrlAndHost() {
        RequestState a = new RequestState();
        a.uri = "http://example.com/x";
        RequestState b = new RequestState();
        b.uri = "http://example.com/x";
        b.headers.append("host", "other.example");
        assertThat(HttpCachePolicy.cacheKey(a)).hasSize(32).isNotEqualTo(HttpCachePolicy.cacheKey(b));
        assertThat(HttpCachePolicy.cacheableRequest("GET")).isTrue();
        assertThat(HttpCachePolicy.cacheableRequest("POST")).isFalse();
    }
}
