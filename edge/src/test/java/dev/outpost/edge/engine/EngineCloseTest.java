package dev.outpost.edge.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.edge.wat.Wat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Closing the GraalWasm engine while a module is being parsed and instantiated returns (the server's stop), and loads
 * after it fail. The hang this guards against (Truffle's close waiting, under the engine's lock, for a thread that
 * needs that lock to initialise a new context) needs a window of microseconds; the rounds close at different points.
 */
class EngineCloseTest {
    /** Enough functions that parsing and linking take a while, with a memory and data so the module is split. */
    private static byte[] bigModule() {
        StringBuilder wat = new StringBuilder("(module (memory (export \"memory\") 2) (data (i32.const 16) \"x\")\n");
        for (int i = 0; i < 4000; i++) {
            wat.append("(func $f")
                    .append(i)
                    .append(" (param i32) (result i32) (i32.add (local.get 0) (i32.const ")
                    .append(i)
                    .append(")))\n");
        }
        wat.append("(func (export \"_start\")))");
        return Wat.compile(wat.toString());
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aCloseDuringLoadsReturnsAndLaterLoadsFail() throws Exception {
        byte[] wasm = bigModule();
        for (int round = 0; round < 5; round++) {
            GraalWasmEngine engine = new GraalWasmEngine();
            CompletableFuture<WasmModule> loading = CompletableFuture.supplyAsync(() -> engine.load("big", wasm));
            Thread.sleep(50L * round); // a different point of the load each round
            engine.close();
            // The load either finished before the close or failed because of it; it does not hang.
            try {
                loading.get(60, TimeUnit.SECONDS).close();
            } catch (ExecutionException e) {
                assertThat(e.getCause()).isInstanceOf(RuntimeException.class);
            }
            assertThatThrownBy(() -> engine.load("after", wasm))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("closed");
        }
    }
}
