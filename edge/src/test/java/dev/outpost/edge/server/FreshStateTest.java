package dev.outpost.edge.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.outpost.edge.config.LocalServerConfig;
import dev.outpost.edge.engine.GraalWasmEngine;
import dev.outpost.edge.wat.BothEngines;
import dev.outpost.edge.wat.Wat;
import dev.outpost.edge.wat.WatServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every request sees a new instance's state, whether the engine makes a new instance or resets one that served an
 * earlier request: globals, data written by the module's segments, zeroed memory, and the memory's size.
 */
class FreshStateTest {
    /**
     * Reports the globals, the segment's bytes, a zero byte between segments, one past the last segment and near the
     * end of memory, and the memory's size in pages; then changes all of them, as a careless guest would.
     */
    private static final String SEEN_THEN_CHANGED = """
            (global $count (mut i32) (i32.const 7))
            (global $wide (mut i64) (i64.const -5))
            (global $fixed i32 (i32.const 3))
            (data (i32.const 0x500) "seed")
            (data (i32.const 0x520) "more")
            (func $state
              (call $say_i32 (global.get $count))
              (call $say_char (i32.const 32))
              (call $say_i64 (global.get $wide))
              (call $say_char (i32.const 32))
              (call $say_i32 (global.get $fixed))
              (call $say_char (i32.const 32))
              (call $say (i32.const 0x500) (i32.const 4))
              (call $say (i32.const 0x520) (i32.const 4))
              (call $say_char (i32.const 32))
              (call $say_i32 (i32.load8_u (i32.const 0x510)))
              (call $say_i32 (i32.load8_u (i32.const 0x524)))
              (call $say_i32 (i32.load (i32.const 0x3fffc)))
              (call $say_char (i32.const 32))
              (call $say_i32 (memory.size)))
            (func $change
              (global.set $count (i32.add (global.get $count) (i32.const 1)))
              (global.set $wide (i64.const 99))
              (i32.store (i32.const 0x500) (i32.const 0x21212121))
              (i32.store8 (i32.const 0x510) (i32.const 9))
              (i32.store8 (i32.const 0x524) (i32.const 9))
              (i32.store (i32.const 0x3fffc) (i32.const -1)))
            """;

    private static final String FRESH = "7 -5 3 seedmore 000 4";

    private static List<String> bodies(WatServer server, int requests) {
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
            var response = server.get("/");
            bodies.add(response.statusCode() + " " + response.body());
        }
        return bodies;
    }

    @BothEngines
    void aGuestThatChangesEverythingLeavesTheNextRequestAFreshInstance(String engine) {
        byte[] wasm = Wat.program(SEEN_THEN_CHANGED + """
                (func (export "_start")
                  (call $state)
                  (call $change)
                  (call $finish))
                """);
        long pageResets = GraalWasmEngine.resetsOfWrittenPages();
        try (WatServer server = WatServer.start(engine, wasm)) {
            assertThat(bodies(server, 6)).containsOnly("200 " + FRESH);
            if (engine.equals("graalwasm")) {
                // The path under test: instances were reset and served again.
                assertThat(server.server().app().module().instancesReused()).isPositive();
                if (GraalWasmEngine.memoryResets().equals("written pages")) {
                    assertThat(GraalWasmEngine.resetsOfWrittenPages()).isGreaterThan(pageResets);
                }
            }
        }
    }

    /** The reset that rewrites all of the memory, where the kernel cannot say which pages a run wrote. */
    @Test
    void withoutTrackedWritesTheWholeMemoryIsReset() {
        byte[] wasm = Wat.program(SEEN_THEN_CHANGED + """
                (func (export "_start")
                  (call $state)
                  (call $change)
                  (call $finish))
                """);
        System.setProperty(GraalWasmEngine.TRACK_WRITES, "false");
        try (WatServer server = WatServer.start("graalwasm", wasm)) {
            long pageResets = GraalWasmEngine.resetsOfWrittenPages();
            assertThat(bodies(server, 6)).containsOnly("200 " + FRESH);
            assertThat(server.server().app().module().instancesReused()).isPositive();
            assertThat(GraalWasmEngine.resetsOfWrittenPages()).isEqualTo(pageResets);
        } finally {
            System.clearProperty(GraalWasmEngine.TRACK_WRITES);
        }
    }

    @BothEngines
    void aGuestThatEndsThroughProcExitLeavesAFreshInstanceToo(String engine) {
        byte[] wasm = Wat.program(SEEN_THEN_CHANGED + """
                (func (export "_start")
                  (call $state)
                  (call $finish)
                  (call $change)
                  (call $wasi_snapshot_preview1.proc_exit (i32.const 0)))
                """);
        try (WatServer server = WatServer.start(engine, wasm)) {
            assertThat(bodies(server, 5)).containsOnly("200 " + FRESH);
        }
    }

    @BothEngines
    void aGuestWhoseMemoryGrewIsNotServedAgain(String engine) {
        byte[] wasm = Wat.program(SEEN_THEN_CHANGED + """
                (func (export "_start")
                  (call $state)
                  (call $change)
                  (drop (memory.grow (i32.const 1)))
                  (i32.store (i32.const 0x4fffc) (i32.const -1))
                  (call $finish))
                """);
        try (WatServer server = WatServer.start(engine, wasm)) {
            assertThat(bodies(server, 5)).containsOnly("200 " + FRESH);
            assertThat(server.server().app().module().instancesReused()).isZero();
        }
    }

    @BothEngines
    void aGuestThatTrappedIsNotServedAgain(String engine) {
        byte[] wasm = Wat.program(SEEN_THEN_CHANGED + """
                (func (export "_start")
                  (call $state)
                  (call $change)
                  (call $finish)
                  unreachable)
                """);
        try (WatServer server = WatServer.start(engine, wasm)) {
            assertThat(bodies(server, 4)).containsOnly("200 " + FRESH);
            assertThat(server.server().app().module().instancesReused()).isZero();
        }
    }

    @BothEngines
    void aGuestThatWritesATableIsNeverReset(String engine) {
        byte[] wasm = Wat.program(SEEN_THEN_CHANGED + """
                (table $t 2 funcref)
                (elem (table $t) (i32.const 0) func $state)
                (elem declare func $change)
                (type $void (func))
                (func (export "_start")
                  (call_indirect $t (type $void) (i32.const 0))
                  (table.set $t (i32.const 0) (ref.func $change))
                  (call $finish))
                """);
        try (WatServer server = WatServer.start(engine, wasm)) {
            assertThat(bodies(server, 4)).containsOnly("200 " + FRESH);
            assertThat(server.server().app().module().instancesReused()).isZero();
        }
    }

    /**
     * A JS app's code is walked for table writes after its first request, and its instances are not reset until the walk
     * ends. A reload of the same code (a {@code --watch} rebuild that changed only the JS) takes the first load's
     * verdict: the instance of its very first request is reset already.
     */
    @Test
    void aReloadOfTheSameCodeResetsInstancesFromItsFirstRequest() throws Exception {
        Path program = TestApps.wasm("hello");
        HttpClient client = HttpClient.newHttpClient();
        try (EdgeServer server = new EdgeServer(EdgeConfig.of(program)
                        .withAddress(new InetSocketAddress("127.0.0.1", 0))
                        .withLogSink((endpoint, message) -> {}))
                .start()) {
            URI uri = URI.create("http://127.0.0.1:" + server.port() + "/");
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding());
                return server.app().module().instancesReused() > 0;
            });

            server.reload(program, LocalServerConfig.empty());
            for (int i = 0; i < 2; i++) {
                assertThat(client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString())
                                .statusCode())
                        .isEqualTo(200);
                await().until(() -> server.app().module().instancesInUse() == 0);
            }
            // Both runs' instances were reset; without the verdict the first reset would start the walk and be refused.
            assertThat(server.app().module().instancesReused()).isEqualTo(2);
        }
    }
}
