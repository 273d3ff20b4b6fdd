package dev.outpost.edge.wat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.edge.config.KvEntry;
import dev.outpost.edge.config.LocalServerConfig;
import dev.outpost.edge.config.LocalServerConfig.ShieldingSite;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** The object store, KV v1 lookups, shielding and the image optimizer (wat/stores.wat). */
class StoresWatTest {
    @BothEngines
    void objectStoreKvShieldingAndImageOptimizer(String engine) {
        LocalServerConfig local = new LocalServerConfig(
                Map.of(),
                Map.of(),
                Map.of("store", Map.of("seeded", new KvEntry("seed".getBytes(StandardCharsets.UTF_8), "m1"))),
                Map.of(),
                Map.of(),
                true,
                Map.of(),
                Map.of(),
                List.of(),
                Map.of(
                        "here", new ShieldingSite(true, null, null),
                        "far", new ShieldingSite(false, "http://127.0.0.1:9/", "https://127.0.0.1:9/")));
        try (WatServer server = WatServer.start(engine, Wat.resource("stores"), local)) {
            var response = server.get("/");
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            assertThat(List.of(response.body().split(" ")))
                    .containsExactly(
                            "0", "2", // open, open unknown: inval
                            "0", "seed", // lookup
                            "0", "-1", // missing key: handle untouched
                            "0", "0", "value!", // insert, pending lookup
                            "0", "0", // insert_async, wait
                            "0", "0", "0", "10", // delete twice
                            "0", "1", "2", "seed", // kv lookup_wait v1
                            "0", "1", "0", "0", "2", // shield_info local, remote, unknown
                            "0", "2", // backend_for_shield; reserved option bit: inval
                            "5"); // image optimizer
        }
    }
}
