package dev.outpost.edge.wat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.edge.config.BackendConfig;
import dev.outpost.edge.config.LocalServerConfig;
import dev.outpost.testkit.TestOrigin;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The cache modules ({@code fastly_cache}, {@code fastly_http_cache}, {@code fastly_purge}) called as the Rust and Go
 * SDKs call them, from programs in WebAssembly text, on both engines. Each program checks statuses as it goes (a
 * wrong one answers 500 with its step) and reports what it read.
 */
class CacheWatTest {
    private static String run(String engine, String program) {
        try (WatServer server = WatServer.start(engine, Wat.resource(program))) {
            HttpResponse<String> response = server.get("/");
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            return response.body();
        }
    }

    @BothEngines
    void coreInsertLookupMetadataRangesAndPurge(String engine) {
        assertThat(run(engine, "cache_core")).isEqualTo("meta,5,1,60000000000,ell,0");
    }

    @BothEngines
    void coreTransactionsBusyHandlesStaleWhileRevalidateAndVary(String engine) {
        assertThat(run(engine, "cache_tx")).isEqualTo("0,1,3,60000000000,15,3,3,0");
    }

    @BothEngines
    void replaceReadsTheExistingObjectAndHidesItUntilReplaced(String engine) {
        // 11: found, usable, must insert; 0 meanwhile; 8: nothing found, must insert.
        assertThat(run(engine, "cache_replace")).isEqualTo("11,old,0,new,8");
    }

    @BothEngines
    void httpCacheMissSuggestionsInsertHitPassAndPurge(String engine) {
        // Options mask 156: initial age, stale-while-revalidate, surrogate keys, stale-if-error (no vary rule, no
        // length, not sensitive).
        assertThat(run(engine, "http_cache"))
                .isEqualTo("1,156,60000000000,30000000000,t1 t2,200,cached,3,1,30000000000,0,0,8");
    }

    @BothEngines
    void sendReadsThroughTheCacheAsTheRequestsCacheOverrideSays(String engine) throws Exception {
        AtomicInteger requests = new AtomicInteger();
        try (TestOrigin origin = new TestOrigin().otherwise(exchange -> {
            requests.incrementAndGet();
            exchange.getResponseHeaders().add("cache-control", "max-age=0");
            TestOrigin.respond(exchange, 200, "text/plain", "from the origin");
        })) {
            LocalServerConfig local = new LocalServerConfig(
                    Map.of("origin", BackendConfig.of("origin", origin.uri())),
                    Map.of(),
                    Map.of(),
                    Map.of(),
                    Map.of(),
                    true,
                    Map.of(),
                    Map.of());
            try (WatServer server = WatServer.start(engine, Wat.resource("readthrough"), local)) {
                HttpResponse<String> response = server.get("/");
                assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            }
            // miss, hit, (purge) miss, send_v3, pass
            assertThat(requests.get()).isEqualTo(4);
        }
    }
}
