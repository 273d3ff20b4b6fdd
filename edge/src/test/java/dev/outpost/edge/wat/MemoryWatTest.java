package dev.outpost.edge.wat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.edge.abi.FastlyStatus;
import dev.outpost.edge.server.ServerLog;
import java.time.Duration;

/** Hostcalls reading and writing a guest's memory as the guest grows it (the engine may move it then). */
class MemoryWatTest {
    /**
     * Grows the memory twice and has the host write the request's URL past the old end each time: both copies, and the
     * count the host wrote beside each, are read back by the host into the response.
     */
    private static final String GROWS = """
            (func (export "_start")
              (call $expect (memory.grow (i32.const 60)) (i32.const 4) (i32.const 1))
              (call $ok (call $fastly_http_req.body_downstream_get (i32.const 0x10) (i32.const 0x14)) (i32.const 2))
              (call $ok (call $fastly_http_req.uri_get (i32.load (i32.const 0x10))
                  (i32.const 0x3F0000) (i32.const 1024) (i32.const 0x3FFFFC)) (i32.const 3))
              (call $expect (memory.grow (i32.const 64)) (i32.const 64) (i32.const 4))
              (call $ok (call $fastly_http_req.uri_get (i32.load (i32.const 0x10))
                  (i32.const 0x7F0000) (i32.const 1024) (i32.const 0x7FFFFC)) (i32.const 5))
              (call $expect (i32.load (i32.const 0x3FFFFC)) (i32.load (i32.const 0x7FFFFC)) (i32.const 6))
              ;; Both copies side by side, the first one moved with the memory.
              (call $copy (i32.add (i32.const 0x3F0000) (i32.load (i32.const 0x3FFFFC)))
                  (i32.const 0x7F0000) (i32.load (i32.const 0x7FFFFC)))
              (call $reply (i32.const 0x3F0000) (i32.shl (i32.load (i32.const 0x3FFFFC)) (i32.const 1))))
            """;

    /** A buffer that runs past the memory's end: the call fails with {@code inval}, as Fastly's, and the guest goes on. */
    private static final String PAST_THE_END = """
            (func (export "_start")
              (local $status i32)
              (call $ok (call $fastly_http_req.body_downstream_get (i32.const 0x10) (i32.const 0x14)) (i32.const 1))
              (local.set $status (call $fastly_http_req.uri_get (i32.load (i32.const 0x10))
                  (i32.const 0x3FFF0) (i32.const 1024) (i32.const 0x20)))
              (call $reply (i32.const 0x40) (call $dec (i64.extend_i32_u (local.get $status)) (i32.const 0x40))))
            """;

    /** WASI's {@code fd_write} with its list of buffers past the memory's end. */
    private static final String WASI_PAST_THE_END = """
            (func (export "_start")
              (drop (call $wasi_snapshot_preview1.fd_write
                  (i32.const 1) (i32.const 0x3FFF0) (i32.const 4) (i32.const 0x20)))
              (call $reply (i32.const 0x200) (i32.const 4)))
            """;

    /** Writes to its memory through the host until it is stopped. */
    private static final String WRITES_UNTIL_STOPPED = """
            (func (export "_start")
              (call $ok (call $fastly_http_req.body_downstream_get (i32.const 0x10) (i32.const 0x14)) (i32.const 1))
              (loop $again
                (call $ok (call $fastly_http_req.uri_get (i32.load (i32.const 0x10))
                    (i32.const 0x1000) (i32.const 1024) (i32.const 0x20)) (i32.const 2))
                (br $again)))
            """;

    @BothEngines
    void hostcallsFollowTheMemoryAsTheGuestGrowsIt(String engine) {
        try (WatServer server = WatServer.start(engine, Wat.program(GROWS))) {
            for (int i = 0; i < 3; i++) {
                var response = server.get("/grown?" + i);
                assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
                String body = response.body();
                String half = body.substring(0, body.length() / 2);
                assertThat(half).endsWith("/grown?" + i);
                assertThat(body).isEqualTo(half + half);
            }
        }
    }

    @BothEngines
    void aBufferPastTheMemorysEndFailsTheCall(String engine) {
        try (WatServer server = WatServer.start(engine, Wat.program(PAST_THE_END))) {
            var response = server.get("/a-long-enough-path-to-cross-the-end-of-the-memory");
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            assertThat(response.body()).isEqualTo(String.valueOf(FastlyStatus.INVAL.code()));
        }
    }

    /** Runs stopped at their time limit, most of them inside a hostcall writing to the memory that goes with them. */
    @BothEngines
    void runsStoppedWhileTheHostWritesToTheirMemory(String engine) {
        try (WatServer server = WatServer.start(
                engine, Wat.program(WRITES_UNTIL_STOPPED), c -> c.withRequestTimeout(Duration.ofMillis(50)))) {
            for (int i = 0; i < 20; i++) {
                assertThat(server.get("/" + i).statusCode()).isGreaterThanOrEqualTo(500);
            }
        }
    }

    /** A WASI function traps instead, as WASI asks of a pointer out of bounds; the log names the buffer. */
    @BothEngines
    void aWasiCallWithABufferPastTheEndTraps(String engine) {
        try (ServerLog log = ServerLog.capture();
                WatServer server = WatServer.start(engine, Wat.program(WASI_PAST_THE_END))) {
            assertThat(server.get("/").statusCode()).isEqualTo(500);
            assertThat(log.messages())
                    .anyMatch(m -> m.contains(
                            "guest error: wasi_snapshot_preview1.fd_write: a buffer of 4 bytes at 0x40000 runs"
                                    + " past the end of the guest's memory (262144 bytes)"));
        }
    }
}
