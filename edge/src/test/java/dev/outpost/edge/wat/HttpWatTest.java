package dev.outpost.edge.wat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.edge.config.BackendConfig;
import dev.outpost.edge.config.LocalServerConfig;
import java.net.URI;
import java.util.List;
import java.util.Map;

/** The HTTP calls only the Rust and Go SDKs make (wat/http.wat and the small programs here). */
class HttpWatTest {
    private static LocalServerConfig backends(WatOrigin origin) {
        return new LocalServerConfig(
                Map.of(
                        "origin", origin.backend("origin"),
                        "down", BackendConfig.of("down", URI.create("http://127.0.0.1:1/"))),
                Map.of(),
                Map.of(),
                Map.of(),
                Map.of(),
                true,
                Map.of(),
                Map.of());
    }

    @BothEngines
    void requestsResponsesBodiesAndPendingRequests(String engine) {
        try (WatOrigin origin = new WatOrigin();
                WatServer server = WatServer.start(engine, Wat.resource("http"), backends(origin))) {
            var response = server.get("/");
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            List<String> r = List.of(response.body().split(" "));
            assertThat(r)
                    .containsExactly(
                            "0",
                            "2", // version_set
                            "0",
                            "0",
                            "a", // header_values_set, header_value_get
                            "0", // cache_override_set
                            "0",
                            "origin:/a",
                            "0",
                            "1", // send, body, x-origin
                            "0",
                            "",
                            "10",
                            "0", // trailers of a finished body: none of them
                            "0",
                            "14", // trailer_append, names of an open body: again
                            "1",
                            "7", // send_v2 refused: error, connection_refused
                            "0",
                            "1", // send_v3: ok
                            "0",
                            "0",
                            "0",
                            "0", // pending header edits
                            "0",
                            "0",
                            "edited", // select, the edit applied
                            "10", // x-origin removed from the other
                            "0",
                            "0", // select_v2, poll_v2
                            "0",
                            "3", // close, close again
                            "0",
                            "0",
                            "0",
                            "a",
                            "0",
                            "0",
                            "3", // responses
                            "0",
                            "0", // HTTP cache lookup, close
                            "0", // inspect: allowed
                            "2", // inspect without corp and workspace
                            "5",
                            "5"); // upgrade_websocket, on_behalf_of
        }
    }

    @BothEngines
    void sendDownstreamPendingForwardsABackendResponse(String engine) {
        String program = """
            (data (i32.const 0x400) "origin")
            (data (i32.const 0x410) "http://example.com/fwd")
            (func (export "_start")
              (call $ok (call $fastly_http_req.new (i32.const 0x500)) (i32.const 1))
              (call $ok (call $fastly_http_req.uri_set (i32.load (i32.const 0x500)) (i32.const 0x410) (i32.const 22))
                (i32.const 2))
              (call $ok (call $fastly_http_body.new (i32.const 0x504)) (i32.const 3))
              (call $ok (call $fastly_http_req.send_async (i32.load (i32.const 0x500)) (i32.load (i32.const 0x504))
                (i32.const 0x400) (i32.const 6) (i32.const 0x508)) (i32.const 4))
              (call $ok (call $fastly_http_resp.send_downstream_pending (i32.load (i32.const 0x508))) (i32.const 5)))
            """;
        try (WatOrigin origin = new WatOrigin();
                WatServer server = WatServer.start(engine, Wat.program(program), backends(origin))) {
            var response = server.get("/");
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("origin:/fwd");
            assertThat(response.headers().firstValue("x-origin")).hasValue("1");
        }
    }

    @BothEngines
    void legacyRedirectsHandTheClientOverAsViceroyDoes(String engine) {
        String program = """
            (data (i32.const 0x400) "self")
            (func (export "_start")
              (call $ok (call $fastly_http_req.redirect_to_grip_proxy (i32.const 0x400) (i32.const 4)) (i32.const 1)))
            """;
        try (WatServer server = WatServer.start(engine, Wat.program(program))) {
            var response = server.get("/");
            // Fanout is off here: the answer Viceroy gives without Pushpin.
            assertThat(response.statusCode()).isEqualTo(500);
            assertThat(response.body()).contains("Pushpin mode not enabled");
        }
        String websocket = program.replace("redirect_to_grip_proxy", "redirect_to_websocket_proxy");
        try (WatServer server = WatServer.start(engine, Wat.program(websocket))) {
            assertThat(server.get("/").statusCode()).isEqualTo(500);
        }
    }
}
