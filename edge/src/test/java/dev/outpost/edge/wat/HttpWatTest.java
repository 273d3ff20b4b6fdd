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

    /** Header, version and framing calls and a backend response's address, which only the JS runtime makes. */
    @BothEngines
    void headerVersionFramingAndAddressCalls(String engine) {
        String program = """
            (data (i32.const 0x400) "origin")
            (data (i32.const 0x408) "x-a")
            (data (i32.const 0x410) "http://example.com/a")
            (func $r (param $status i32) (call $say_i32 (local.get $status)) (call $say_char (i32.const 32)))
            (func $rv (param $status i32) (call $r (local.get $status)) (call $r (i32.load (i32.const 0x600))))
            (func (export "_start")
              (local $q i32) (local $resp i32) (local $b i32)
              (call $ok (call $fastly_http_req.new (i32.const 0x500)) (i32.const 1))
              (local.set $q (i32.load (i32.const 0x500)))
              (call $ok (call $fastly_http_req.uri_set (local.get $q) (i32.const 0x410) (i32.const 20)) (i32.const 2))
              ;; req: append twice, the count of x-a values, remove, remove again
              (call $r (call $fastly_http_req.header_append (local.get $q) (i32.const 0x408) (i32.const 3)
                (i32.const 0x408) (i32.const 1)))
              (call $r (call $fastly_http_req.header_append (local.get $q) (i32.const 0x408) (i32.const 3)
                (i32.const 0x409) (i32.const 1)))
              (call $r (call $fastly_http_req.header_remove (local.get $q) (i32.const 0x408) (i32.const 3)))
              (call $r (call $fastly_http_req.header_remove (local.get $q) (i32.const 0x408) (i32.const 3)))
              ;; req: version, framing modes (automatic, manual, unknown), gzip decompression
              (call $rv (call $fastly_http_req.version_get (local.get $q) (i32.const 0x600)))
              (call $r (call $fastly_http_req.framing_headers_mode_set (local.get $q) (i32.const 0)))
              (call $r (call $fastly_http_req.framing_headers_mode_set (local.get $q) (i32.const 1)))
              (call $r (call $fastly_http_req.framing_headers_mode_set (local.get $q) (i32.const 7)))
              (call $r (call $fastly_http_req.framing_headers_mode_set (local.get $q) (i32.const 0)))
              (call $r (call $fastly_http_req.auto_decompress_response_set (local.get $q) (i32.const 1)))
              ;; a response from the backend: its version, where it came from, header and framing calls
              (call $ok (call $fastly_http_body.new (i32.const 0x504)) (i32.const 3))
              (call $ok (call $fastly_http_req.send (local.get $q) (i32.load (i32.const 0x504)) (i32.const 0x400)
                (i32.const 6) (i32.const 0x510) (i32.const 0x514)) (i32.const 4))
              (local.set $resp (i32.load (i32.const 0x510)))
              (call $rv (call $fastly_http_resp.version_get (local.get $resp) (i32.const 0x600)))
              (call $r (call $fastly_http_resp.get_addr_dest_ip (local.get $resp) (i32.const 0x700) (i32.const 0x600)))
              (call $r (i32.load (i32.const 0x600)))
              (call $r (i32.load8_u (i32.const 0x700)))
              (call $r (call $fastly_http_resp.get_addr_dest_port (local.get $resp) (i32.const 0x600)))
              (call $r (i32.ne (i32.load16_u (i32.const 0x600)) (i32.const 0)))
              (call $r (call $fastly_http_resp.header_remove (local.get $resp) (i32.const 0x408) (i32.const 3)))
              (call $r (call $fastly_http_resp.framing_headers_mode_set (local.get $resp) (i32.const 1)))
              ;; a response the guest made has no address
              (call $ok (call $fastly_http_resp.new (i32.const 0x518)) (i32.const 5))
              (call $r (call $fastly_http_resp.get_addr_dest_ip (i32.load (i32.const 0x518)) (i32.const 0x700)
                (i32.const 0x600)))
              ;; a body abandoned, then gone
              (call $ok (call $fastly_http_body.new (i32.const 0x51c)) (i32.const 6))
              (local.set $b (i32.load (i32.const 0x51c)))
              (call $r (call $fastly_http_body.abandon (local.get $b)))
              (call $r (call $fastly_http_body.abandon (local.get $b)))
              (call $finish))
            """;
        try (WatOrigin origin = new WatOrigin();
                WatServer server = WatServer.start(engine, Wat.program(program), backends(origin))) {
            var response = server.get("/");
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            assertThat(List.of(response.body().split(" ")))
                    .containsExactly(
                            "0", "0", // header_append twice
                            "0", "2", // header_remove, then again: inval
                            "0", "2", // version_get: HTTP/1.1
                            "0", "0", "2", "0", // framing modes automatic, manual, 7 (inval), automatic
                            "0", // auto_decompress_response_set gzip
                            "0", "2", // the response's version
                            "0", "4", "127", // get_addr_dest_ip: 4 octets, 127.0.0.1
                            "0", "1", // get_addr_dest_port: the origin's port
                            "2", // header_remove of an absent header: inval
                            "0", // framing_headers_mode_set
                            "10", // a response the guest made: no address
                            "0", "3"); // abandon, then the handle is gone: badf
        }
    }
}
