package dev.outpost.edge.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.outpost.edge.engine.DataSegments;
import dev.outpost.edge.engine.ModuleSplit;
import dev.outpost.edge.engine.WasmImports;
import java.util.Arrays;

/**
 * What the engine reads of a module before loading it ({@link WasmImports}) and the rewrites it applies
 * ({@link DataSegments}, {@link ModuleSplit} with its reset functions, and its walk over every instruction for table
 * writes): any bytes give a result, "not for this one" (the original, or null) or, for the imports, an
 * {@link IllegalArgumentException} or an index out of bounds (both reported as a load error), never a hang. Inputs without Wasm's header get one, so the fuzzer spends its time on sections.
 */
class ModuleSplitFuzzTest {
    private static final byte[] HEADER = {0, 'a', 's', 'm', 1, 0, 0, 0};

    @FuzzTest(maxDuration = "5m")
    void rewrites(byte[] data) {
        byte[] wasm = data;
        if (data.length < 8 || !Arrays.equals(data, 0, 8, HEADER, 0, 8)) {
            wasm = new byte[data.length + 8];
            System.arraycopy(HEADER, 0, wasm, 0, 8);
            System.arraycopy(data, 0, wasm, 8, data.length);
        }
        try {
            WasmImports.functions(wasm);
            WasmImports.hasStartFunction(wasm);
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            // a module it cannot read: the engine reports it as a load error
        }
        byte[] merged = DataSegments.coalesce(wasm, 4096);
        assertThat(merged).startsWith(HEADER);
        ModuleSplit.Parts parts = ModuleSplit.split(merged);
        if (parts != null) {
            assertThat(parts.code()).startsWith(HEADER);
            assertThat(parts.data()).startsWith(HEADER);
        }
        ModuleSplit.mayWriteTables(merged);
        ModuleSplit.mayWriteTables(wasm);
    }
}
