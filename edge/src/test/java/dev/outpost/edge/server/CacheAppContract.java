package dev.outpost.edge.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The caches and request forwarding as a JavaScript app uses them (src/test/js/src/cache.js), end to end against a
 * real origin that counts its requests: the forwarding idiom of issue #11, the simple cache, the core cache with
 * transactions (request collapsing, stale-while-revalidate, vary, metadata, purge) and the readthrough cache of
 * {@code fetch} with {@code CacheOverride}. Each engine runs this suite through a subclass.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(180)
abstract class CacheAppContract {
    private static final ObjectMapper JSON = new ObjectMapper();

    private CountingOriginApp fixture;
    private CountingOrigin origin;
    private EdgeServer app;
    private HttpClient client;

    abstract String engine();

    @BeforeAll
    void start() throws Exception {
        fixture = CountingOriginApp.start("cache", engine());
        origin = fixture.origin();
        app = fixture.server();
        client = fixture.client();
    }

    @AfterAll
    void stop() {
        if (fixture != null) {
            fixture.close();
        }
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        // A bounded wait: a response that never ends must fail the test, not hang it.
        return client.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString())
                .get(60, TimeUnit.SECONDS);
    }

    private HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return send(b);
    }

    private JsonNode json(String path, String... headers) throws Exception {
        return JSON.readTree(get(path, headers).body());
    }

    private static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    // --- request forwarding (issue #11, defect 1)

    private void forwards(String method, byte[] body) throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + app.port() + "/forward?path=/echo-" + body.length))
                .method(method, HttpRequest.BodyPublishers.ofByteArray(body)));
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body())
                .isEqualTo("got " + body.length + " bytes sha256=" + CountingOrigin.sha256(body) + " content-length="
                        + body.length + " transfer-encoding=null");
    }

    @Test
    void aThreeByteBodyForwardedWithTheClientsHeadersArrivesWholeAndEnds() throws Exception {
        forwards("POST", "abc".getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void a200kBPutForwardedWithTheClientsHeadersArrivesWholeAndEnds() throws Exception {
        byte[] body = new byte[200_000];
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) ('a' + i % 26);
        }
        forwards("PUT", body);
    }

    // --- simple cache

    @Test
    void simpleCacheGetOrSetComputesOnceAndPurgeForgets() throws Exception {
        JsonNode first = json("/simple/get-or-set?key=s1&value=one&ttl=60");
        assertThat(first.get("value").asText()).isEqualTo("one");
        assertThat(first.get("computed").asBoolean()).isTrue();
        JsonNode second = json("/simple/get-or-set?key=s1&value=two&ttl=60");
        assertThat(second.get("value").asText()).isEqualTo("one");
        assertThat(second.get("computed").asBoolean()).isFalse();
        assertThat(json("/simple/get?key=s1").get("value").asText()).isEqualTo("one");
        json("/simple/purge?key=s1");
        assertThat(get("/simple/get?key=s1").statusCode()).isEqualTo(404);
        assertThat(json("/simple/get-or-set?key=s1&value=three&ttl=60")
                        .get("value")
                        .asText())
                .isEqualTo("three");
    }

    // --- core cache

    @Test
    void coreCacheInsertAndLookupWithMetadataVaryAndHits() throws Exception {
        json("/core/insert?key=c1&value=hello&meta=m1&vary=x-lang&maxAge=60000", "x-lang", "en");
        JsonNode found = json("/core/lookup?key=c1", "x-lang", "en");
        assertThat(found.get("found").asBoolean()).isTrue();
        assertThat(found.get("stale").asBoolean()).isFalse();
        assertThat(found.get("body").asText()).isEqualTo("hello");
        assertThat(found.get("meta").asText()).isEqualTo("m1");
        assertThat(found.get("length").asLong()).isEqualTo(5);
        assertThat(found.get("maxAge").asLong()).isEqualTo(60000);
        assertThat(found.get("hits").asLong()).isEqualTo(1);
        assertThat(json("/core/lookup?key=c1", "x-lang", "en").get("hits").asLong())
                .isEqualTo(2);
        // Another value of the vary header is another variant: not found.
        assertThat(get("/core/lookup?key=c1", "x-lang", "fr").statusCode()).isEqualTo(404);
    }

    @Test
    void coreCachePurgeBySurrogateKeyHardAndSoft() throws Exception {
        json("/core/insert?key=p1&value=v&sk=tag-hard,other&maxAge=60000");
        json("/core/insert?key=p2&value=v&sk=tag-soft&maxAge=60000&swr=60000");
        json("/rt/purge?sk=tag-hard");
        assertThat(get("/core/lookup?key=p1").statusCode()).isEqualTo(404);
        json("/rt/purge?sk=tag-soft&soft=1");
        JsonNode soft = json("/core/lookup?key=p2");
        assertThat(soft.get("found").asBoolean()).isTrue();
        assertThat(soft.get("stale").asBoolean()).isTrue();
    }

    @Test
    void coreCacheTransactionsCollapseConcurrentMissesOntoOneLeader() throws Exception {
        String path = "/core/transaction?key=t1&path=" + enc("/slow/t1?delay=1500");
        List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            calls.add(client.sendAsync(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path))
                            .build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        List<String> roles = new ArrayList<>();
        for (var call : calls) {
            JsonNode r = JSON.readTree(call.get(60, TimeUnit.SECONDS).body());
            roles.add(r.get("role").asText());
            assertThat(r.get("value").asText()).startsWith("/slow/t1 #1 ");
        }
        assertThat(roles).containsExactlyInAnyOrder("leader", "follower", "follower");
        assertThat(origin.count("/slow/t1")).isEqualTo(1);
    }

    @Test
    void coreCacheServesStaleWhileOneClientRevalidates() throws Exception {
        // Already stale when inserted (initial age past the max age), usable for a minute more.
        json("/core/insert?key=w1&value=old&maxAge=1000&initialAge=5000&swr=60000");
        CompletableFuture<HttpResponse<String>> revalidating = client.sendAsync(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/core/transaction?key=w1&path="
                                + enc("/slow/w1?delay=2000")))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        await().atMost(Duration.ofSeconds(30)).until(() -> origin.count("/slow/w1") == 1 || revalidating.isDone());
        // Meanwhile another client gets the stale object at once, without waiting.
        JsonNode meanwhile = json("/core/transaction?key=w1&path=" + enc("/slow/w1"));
        assertThat(meanwhile.get("role").asText()).isEqualTo("stale");
        assertThat(meanwhile.get("value").asText()).isEqualTo("old");
        assertThat(JSON.readTree(revalidating.get(60, TimeUnit.SECONDS).body())
                        .get("role")
                        .asText())
                .isEqualTo("revalidated");
        JsonNode after = json("/core/lookup?key=w1");
        assertThat(after.get("stale").asBoolean()).isFalse();
        assertThat(origin.count("/slow/w1")).isEqualTo(1);
    }

    @Test
    void aCancelledTransactionPassesTheObligationOn() throws Exception {
        assertThat(json("/core/cancel?key=x1").get("cancelled").asBoolean()).isTrue();
        assertThat(json("/core/transaction?key=x1&path=" + enc("/x1"))
                        .get("role")
                        .asText())
                .isEqualTo("leader");
    }

    // --- readthrough cache

    private HttpResponse<String> fetch(String op, String originPath, String... extra) throws Exception {
        return get("/rt/" + op + "?path=" + enc(originPath) + String.join("", extra));
    }

    @Test
    void readthroughCachesPerCacheControlAndMarksHitsAndMisses() throws Exception {
        HttpResponse<String> miss = fetch("fetch", "/rt1?cc=" + enc("max-age=60"));
        assertThat(miss.headers().firstValue("x-cache")).hasValue("MISS");
        assertThat(miss.headers().firstValue("x-cache-hits")).hasValue("0");
        HttpResponse<String> hit = fetch("fetch", "/rt1?cc=" + enc("max-age=60"));
        assertThat(hit.body()).isEqualTo(miss.body()).startsWith("/rt1 #1 ");
        assertThat(hit.headers().firstValue("x-cache")).hasValue("HIT");
        assertThat(hit.headers().firstValue("x-cache-hits")).hasValue("1");
        assertThat(hit.headers().firstValue("age")).isPresent();
        assertThat(origin.count("/rt1")).isEqualTo(1);
    }

    @Test
    void readthroughDoesNotStoreWhatItMustNot() throws Exception {
        for (int i = 0; i < 2; i++) {
            fetch("pass", "/pass?cc=" + enc("max-age=60"));
            fetch("fetch", "/private?cc=" + enc("private, max-age=60"));
            fetch("fetch", "/cookie?cc=" + enc("max-age=60") + "&cookie=a%3D1");
            fetch("fetch", "/expired?expires=" + enc("Thu, 01 Jan 1970 00:00:00 GMT"));
            fetch("fetch", "/error?status=500&cc=" + enc("max-age=60"));
        }
        assertThat(origin.count("/pass")).isEqualTo(2);
        assertThat(origin.count("/private")).isEqualTo(2);
        assertThat(origin.count("/cookie")).isEqualTo(2);
        assertThat(origin.count("/expired")).isEqualTo(2);
        assertThat(origin.count("/error")).isEqualTo(2);
    }

    @Test
    void readthroughPrefersSurrogateControlAndKeepsItFromTheGuest() throws Exception {
        String path = "/sc?sc=" + enc("max-age=60") + "&cc=no-store";
        HttpResponse<String> first = fetch("fetch", path);
        assertThat(first.headers().firstValue("surrogate-control")).isEmpty();
        assertThat(fetch("fetch", path).headers().firstValue("x-cache")).hasValue("HIT");
        // Fastly-Debug lets the surrogate headers through.
        assertThat(fetch("fetch", path, "&debug=1").headers().firstValue("surrogate-control"))
                .hasValue("max-age=60");
        // No freshness information at all: Fastly's default TTL.
        fetch("fetch", "/plain");
        assertThat(fetch("fetch", "/plain").headers().firstValue("x-cache")).hasValue("HIT");
        assertThat(origin.count("/sc")).isEqualTo(1);
        assertThat(origin.count("/plain")).isEqualTo(1);
    }

    @Test
    void cacheOverrideTtlAndSurrogateKeyThenPurge() throws Exception {
        String path = "/ttl?cc=" + enc("max-age=0");
        fetch("override", path, "&ttl=60&sk=override-key");
        assertThat(fetch("override", path, "&ttl=60&sk=override-key").headers().firstValue("x-cache"))
                .hasValue("HIT");
        json("/rt/purge?sk=override-key");
        assertThat(fetch("override", path, "&ttl=60&sk=override-key").headers().firstValue("x-cache"))
                .hasValue("MISS");
        assertThat(origin.count("/ttl")).isEqualTo(2);
        // The origin's own Surrogate-Key purges too.
        fetch("fetch", "/tagged?sk=origin-key&cc=" + enc("max-age=60"));
        json("/rt/purge?sk=origin-key");
        fetch("fetch", "/tagged?sk=origin-key&cc=" + enc("max-age=60"));
        assertThat(origin.count("/tagged")).isEqualTo(2);
    }

    @Test
    void readthroughVariesOnTheHeadersOfVary() throws Exception {
        String path = "/vary?vary=x-lang&cc=" + enc("max-age=60");
        assertThat(fetch("fetch", path, "&lang=en").body()).contains("lang=en");
        assertThat(fetch("fetch", path, "&lang=fr").body()).contains("lang=fr");
        HttpResponse<String> en = fetch("fetch", path, "&lang=en");
        assertThat(en.body()).contains("lang=en");
        assertThat(en.headers().firstValue("x-cache")).hasValue("HIT");
        assertThat(origin.count("/vary")).isEqualTo(2);
    }

    @Test
    void readthroughServesStaleWhileRevalidatingAndRevalidatesWith304() throws Exception {
        // Stale on arrival (Age past max-age), usable for a minute more: the next fetch is a HIT and revalidates.
        String swr = "/swr?age=5&cc=" + enc("max-age=1, stale-while-revalidate=60");
        fetch("fetch", swr);
        HttpResponse<String> stale = fetch("fetch", swr);
        assertThat(stale.headers().firstValue("x-cache")).hasValue("HIT");
        assertThat(stale.body()).startsWith("/swr #1 ");
        await().atMost(Duration.ofSeconds(30)).until(() -> origin.count("/swr") == 2);
        // A stale object with an ETag is revalidated with If-None-Match; a 304 keeps its body.
        String etag = "/etag?etag=" + enc("\"v1\"") + "&cc=" + enc("max-age=0");
        HttpResponse<String> first = fetch("fetch", etag);
        HttpResponse<String> revalidated = fetch("fetch", etag);
        assertThat(origin.lastIfNoneMatch("/etag")).isEqualTo("\"v1\"");
        assertThat(revalidated.statusCode()).isEqualTo(200);
        assertThat(revalidated.body()).isEqualTo(first.body());
    }

    @Test
    void readthroughCollapsesConcurrentMisses() throws Exception {
        String path = "/rt/fetch?path=" + enc("/collapse?delay=1500&cc=" + enc("max-age=60"));
        List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            calls.add(client.sendAsync(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path))
                            .build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        for (var call : calls) {
            assertThat(call.get(60, TimeUnit.SECONDS).body()).startsWith("/collapse #1 ");
        }
        assertThat(origin.count("/collapse")).isEqualTo(1);
    }
}
