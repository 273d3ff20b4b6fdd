package dev.outpost.edge.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.outpost.edge.wat.BothEngines;
import dev.outpost.edge.wat.Wat;
import dev.outpost.edge.wat.WatServer;
import java.time.Duration;

/** A guest run's time limit lives as long as the run, not as long as the limit. */
class GuestTimerTest {
    @BothEngines
    void requestsThatEndedLeaveNoTimeLimitBehind(String engine) {
        byte[] wasm = Wat.program("""
                (func (export "_start")
                  (call $say (i32.const 0) (i32.const 0))
                  (call $finish))
                """);
        // The limit (20 s) is far from due when the check runs: a cancelled limit still queued would be seen.
        try (WatServer server = WatServer.start(engine, wasm)) {
            for (int i = 0; i < 40; i++) {
                assertThat(server.get("/").statusCode()).isEqualTo(200);
            }
            // Warm-up runs (while the server is idle) hold a limit of their own while they run.
            await().atMost(Duration.ofSeconds(10)).until(() -> GuestTimer.pending() == 0);
        }
    }
}
