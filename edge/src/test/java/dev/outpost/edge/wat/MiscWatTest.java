package dev.outpost.edge.wat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.edge.config.LocalServerConfig;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** Stores, logging, geo, device detection, ERL, ACLs, backends, async I/O and the runtime (wat/misc.wat). */
class MiscWatTest {
    @BothEngines
    void theSmallerModulesAsTheRustAndGoSdksCallThem(String engine) {
        try (WatOrigin origin = new WatOrigin()) {
            LocalServerConfig local = new LocalServerConfig(
                    Map.of("origin", origin.backend("origin")),
                    Map.of("flags", Map.of("beta", "on")),
                    Map.of(),
                    Map.of("secrets", Map.of("token", "s3cret".getBytes(StandardCharsets.UTF_8))),
                    Map.of("10.1.2.3", "{\"city\":\"Lisbon\"}"),
                    true,
                    Map.of("TestPhone/1.0", "{\"device\":{\"name\":\"Phone\"}}"),
                    Map.of(
                            "internal",
                            List.of(
                                    new LocalServerConfig.AclEntry("10.0.0.0/8", "BLOCK"),
                                    new LocalServerConfig.AclEntry("10.1.0.0/16", "ALLOW"))));
            try (WatServer server = WatServer.start(engine, Wat.resource("misc"), local)) {
                var response = server.get("/");
                assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
                assertThat(List.of(response.body().split(" ")))
                        .containsExactly(
                                "0",
                                "on",
                                "0",
                                "on", // config store, dictionary
                                "0",
                                "8", // log write: bytes written
                                "0", // geo
                                "0",
                                "{\"device\":{\"name\":\"Phone\"}}",
                                "0",
                                "0",
                                "3",
                                "0",
                                "0",
                                "0",
                                "0", // increment, count, rate (3 in 60 s), not boxed
                                "0",
                                "1",
                                "0",
                                "0",
                                "1", // check_rate blocks; the client is boxed
                                "0",
                                "1",
                                "{\"action\":\"ALLOW\",\"prefix\":\"10.1.0.0/16\"}",
                                "2", // ACL
                                "0",
                                "0",
                                "s3cret",
                                "0",
                                "0",
                                "raw",
                                "secret",
                                "10", // secrets
                                "0",
                                "1",
                                "0",
                                "0", // exists, not
                                "0",
                                "0",
                                "0",
                                "0",
                                "0",
                                "0", // unknown health, static, plain HTTP
                                "0",
                                "127.0.0.1",
                                "10", // host, no override host
                                "0",
                                "1", // port
                                "0",
                                "1000",
                                "0",
                                "15000",
                                "0",
                                "10000", // timeouts
                                "0",
                                "60000",
                                "0",
                                "0",
                                "0",
                                "0",
                                "0",
                                "0",
                                "0",
                                "0", // keep-alive
                                "10",
                                "10", // TLS versions of a plain-HTTP backend
                                "0",
                                "1", // is_ready
                                "0",
                                "0", // select
                                "0",
                                "1",
                                "0",
                                "0"); // runtime
                assertThat(server.logLines()).contains("audit :: line one");
            }
        }
    }
}
