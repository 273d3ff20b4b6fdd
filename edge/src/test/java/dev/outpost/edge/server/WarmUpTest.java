package dev.outpost.edge.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.outpost.edge.config.BackendConfig;
import dev.outpost.edge.config.KvEntry;
import dev.outpost.edge.config.LocalServerConfig;
import dev.outpost.edge.engine.WasmModule.FunctionImport;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The warm-up runs the program on made-up requests, and nothing it does is visible outside. */
@Timeout(180)
class WarmUpTest {
    private static final int RUNS = 3;

    @Test
    void warmUpRunsLeaveNoTraceAndRealRequestsAreServedAsUsual() throws Exception {
        ConcurrentLinkedQueue<String> logLines = new ConcurrentLinkedQueue<>();
        String previous = System.setProperty(WarmUp.RUNS_PROPERTY, String.valueOf(RUNS));
        try (EchoOrigin origin = new EchoOrigin();
                EdgeServer server = new EdgeServer(EdgeConfig.of(TestApps.wasm("app"))
                                .withAddress(new InetSocketAddress("127.0.0.1", 0))
                                .withLocalServer(local(origin))
                                .withLogSink((endpoint, message) -> logLines.add(endpoint + " :: " + message)))
                        .start()) {
            // GET / logs, writes to the KV store and fetches from the origin: the warm-up runs it, unseen.
            await().atMost(Duration.ofSeconds(150))
                    .until(() -> server.app().module().instancesTaken() >= RUNS);
            await().until(() -> server.app().module().instancesInUse() == 0);
            assertThat(logLines).isEmpty();
            assertThat(origin.unread()).isZero();

            HttpResponse<String> response = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(response.body()).isEqualTo("runs=1 fetched=200");
            assertThat(origin.take("/root").method()).isEqualTo("GET");
            assertThat(logLines).containsExactlyInAnyOrder("stdout :: root ran", "mylog :: root ran");
        } finally {
            if (previous == null) {
                System.clearProperty(WarmUp.RUNS_PROPERTY);
            } else {
                System.setProperty(WarmUp.RUNS_PROPERTY, previous);
            }
        }
    }

    @Test
    void hostcallsThatReachBackendsOrSharedCachesAreTheOnesCutOff() {
        assertThat(WarmUp.reachesNetwork(new FunctionImport("fastly_http_req", "send_async_v2", 6, 1)))
                .isTrue();
        assertThat(WarmUp.reachesNetwork(new FunctionImport("fastly_http_cache", "transaction_insert", 5, 1)))
                .isTrue();
        assertThat(WarmUp.reachesNetwork(new FunctionImport("fastly_http_resp", "send_downstream", 3, 1)))
                .isFalse();
        assertThat(WarmUp.reachesNetwork(new FunctionImport("fastly_kv_store", "insert", 7, 1)))
                .isFalse();
    }

    private static LocalServerConfig local(EchoOrigin origin) {
        return new LocalServerConfig(
                Map.of("origin", BackendConfig.of("origin", origin.uri())),
                Map.of(),
                Map.of("store", Map.of("seeded", new KvEntry("x".getBytes(StandardCharsets.UTF_8), null))),
                Map.of(),
                Map.of(),
                true,
                Map.of(),
                Map.<String, List<LocalServerConfig.AclEntry>>of());
    }
}
