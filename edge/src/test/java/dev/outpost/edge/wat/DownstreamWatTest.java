package dev.outpost.edge.wat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.edge.config.LocalServerConfig;
import java.net.http.HttpRequest;
import java.util.List;
import java.util.Map;

/** {@code fastly_http_downstream} and the downstream calls of {@code fastly_http_req} (wat/downstream.wat). */
class DownstreamWatTest {
    @BothEngines
    void factsAboutTheClientRequest(String engine) {
        LocalServerConfig local = new LocalServerConfig(
                Map.of(), Map.of(), Map.of(), Map.of(), Map.of(), true, Map.of(), Map.of(), List.of("k-123"), Map.of());
        try (WatServer server = WatServer.start(engine, Wat.resource("downstream"), local)) {
            var response = server.send(HttpRequest.newBuilder(server.uri("/"))
                    .header("fastly-key", "k-123")
                    .header("x-fastly-bot-analyzed", "true")
                    .header("x-fastly-bot-detected", "false")
                    .header("x-fastly-bot-verified", "true")
                    .header("x-fastly-bot-category", "search-engine-crawler")
                    .header("x-fastly-bot-name", "TestBot"));
            assertThat(response.statusCode()).isEqualTo(200);
            List<String> r = List.of(response.body().split(" "));
            String count = r.get(1);
            assertThat(Integer.parseInt(count)).isGreaterThanOrEqualTo(8);
            assertThat(r.subList(0, 6)).containsExactly("0", count, "0", count, "1", "3");
            // The names of the original headers: the client's, not the one the guest added.
            assertThat(r.get(6)).isEqualTo("0");
            assertThat(r.get(7)).contains("x-fastly-bot-name").doesNotContain("x-added");
            assertThat(r.get(8)).isEqualTo("0");
            int i = 9;
            assertThat(r.subList(i, i + 24))
                    .containsExactly(
                            "0",
                            "1",
                            "0",
                            "1", // fastly-key valid, both modules
                            "0",
                            "1", // bot analyzed
                            "0",
                            "0", // detected
                            "0",
                            "1", // verified
                            "0",
                            "11", // category kind
                            "0",
                            "TestBot",
                            "0",
                            "search-engine-crawler",
                            "0",
                            "none",
                            "0",
                            "none", // compliance region, both modules
                            "0",
                            "0",
                            "0",
                            "0"); // ddos, both modules
            i += 24;
            assertThat(r.subList(i, i + 6)).containsExactly("0", "4", "0", "4", "0", "32");
            i += 6;
            assertThat(r.subList(i, i + 10)).as("TLS facts").containsOnly("10");
            i += 10;
            assertThat(r.subList(i, i + 11)).as("proxy facts").containsOnly("10");
            i += 11;
            assertThat(r.subList(i, i + 6)).containsExactly("5", "5", "0", "3", "5", "0");
            i += 6;
            // The same facts through fastly_http_downstream: the server's IPv4 address, the request id's length.
            assertThat(r.subList(i, i + 4)).containsExactly("0", "4", "0", "32");
            i += 4;
            assertThat(r.subList(i, r.size()))
                    .as("TLS facts by handle")
                    .hasSize(9)
                    .containsOnly("10");
        }
    }
}
