package dev.outpost.edge.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The HTTP cache under the app's control (src/test/js/src/cachehooks.js, built with {@code --enable-http-cache}):
 * {@code fetch} caching through {@code fastly_http_cache}, and {@code CacheOverride}'s before-send and after-send
 * hooks, against an origin that counts its requests. Each engine runs this suite through a subclass.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(180)
abstract class HttpCacheHooksContract {
    private CountingOriginApp fixture;
    private CountingOrigin origin;
    private EdgeServer app;
    private HttpClient client;

    abstract String engine();

    @BeforeAll
    void start() throws Exception {
        fixture = CountingOriginApp.start("cachehooks", engine());
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

    private HttpResponse<String> hook(String kind, String originPath) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + app.port() + "/hooks/" + kind + "?path="
                + URLEncoder.encode(originPath, StandardCharsets.UTF_8));
        return client.sendAsync(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString())
                .get(60, TimeUnit.SECONDS);
    }

    private static String cc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    @Test
    void fetchCachesThroughTheHttpCacheCalls() throws Exception {
        HttpResponse<String> miss = hook("plain", "/plain?sk=plain-key&cc=" + cc("max-age=60"));
        assertThat(miss.statusCode()).isEqualTo(200);
        assertThat(miss.headers().firstValue("x-cache")).hasValue("MISS");
        HttpResponse<String> hit = hook("plain", "/plain?sk=plain-key&cc=" + cc("max-age=60"));
        assertThat(hit.body()).isEqualTo(miss.body()).startsWith("/plain #1 ");
        assertThat(hit.headers().firstValue("x-cache")).hasValue("HIT");
        assertThat(hit.headers().firstValue("x-js-cached")).hasValue("true");
        assertThat(origin.count("/plain")).isEqualTo(1);
        // Purging by the origin's surrogate key reaches objects the app stored itself.
        client.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/purge/?sk=plain-key"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        hook("plain", "/plain?sk=plain-key&cc=" + cc("max-age=60"));
        assertThat(origin.count("/plain")).isEqualTo(2);
    }

    @Test
    void beforeSendChangesTheBackendRequest() throws Exception {
        assertThat(hook("before", "/before?cc=" + cc("max-age=60")).body()).contains("before=yes");
        assertThat(hook("before", "/before?cc=" + cc("max-age=60")).headers().firstValue("x-cache"))
                .hasValue("HIT");
        assertThat(origin.count("/before")).isEqualTo(1);
    }

    @Test
    void afterSendStoresWhatTheOriginCalledPrivateWithItsOwnTtlAndHeaders() throws Exception {
        HttpResponse<String> first = hook("after", "/after?cc=private");
        assertThat(first.headers().firstValue("x-after")).hasValue("yes");
        assertThat(first.headers().firstValue("x-js-ttl")).hasValue("300");
        HttpResponse<String> second = hook("after", "/after?cc=private");
        assertThat(second.body()).isEqualTo(first.body());
        assertThat(second.headers().firstValue("x-after")).hasValue("yes");
        assertThat(second.headers().firstValue("x-cache")).hasValue("HIT");
        assertThat(origin.count("/after")).isEqualTo(1);
    }

    @Test
    void afterSendCanRecordAResponseAsUncacheable() throws Exception {
        hook("uncacheable", "/uncacheable?cc=" + cc("max-age=60"));
        hook("uncacheable", "/uncacheable?cc=" + cc("max-age=60"));
        assertThat(origin.count("/uncacheable")).isEqualTo(2);
    }

    @Test
    void afterSendCanTransformTheStoredBody() throws Exception {
        HttpResponse<String> first = hook("transform", "/transform?cc=" + cc("max-age=60"));
        assertThat(first.body()).startsWith("/TRANSFORM #1 ");
        assertThat(hook("transform", "/transform?cc=" + cc("max-age=60")).body())
                .isEqualTo(first.body());
        assertThat(origin.count("/transform")).isEqualTo(1);
    }
}
