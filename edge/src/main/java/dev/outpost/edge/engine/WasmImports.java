package dev.outpost.edge.engine;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads the function imports of a core Wasm module (type and import sections only). Pure function of the bytes; used
 * where an engine does not expose its module's imports.
 */
public final class WasmImports {
    private static final int TYPE = 1;
    private static final int IMPORT = 2;
    private static final int START = 8;

    private WasmImports() {}

    public static List<WasmModule.FunctionImport> functions(byte[] wasm) {
        if (wasm.length < 8 || u32le(wasm, 0) != 0x6d736100) {
            throw new IllegalArgumentException("wasm: bad magic (expected: \\0asm)");
        }
        int version = u32le(wasm, 4);
        if (version != 1) {
            throw new IllegalArgumentException("wasm: version " + version + " (expected: 1, a core module)");
        }
        int[][] sections = WasmReader.sections(wasm);
        List<int[]> types = new ArrayList<>();
        if (sections[TYPE] != null) {
            WasmReader r = new WasmReader(wasm, sections[TYPE][0]);
            int count = count(r);
            for (int i = 0; i < count; i++) {
                int form = r.u8();
                if (form != 0x60) {
                    throw new IllegalArgumentException("wasm: type " + i + " form 0x" + Integer.toHexString(form)
                            + " (expected: 0x60, a function type)");
                }
                int params = r.size();
                r.pos += params;
                int results = r.size();
                r.pos += results;
                types.add(new int[] {params, results});
            }
        }
        List<WasmModule.FunctionImport> imports = new ArrayList<>();
        if (sections[IMPORT] != null) {
            WasmReader r = new WasmReader(wasm, sections[IMPORT][0]);
            int count = count(r);
            for (int i = 0; i < count; i++) {
                String module = r.name();
                String name = r.name();
                int kind = r.u8();
                switch (kind) {
                    case 0 -> {
                        int[] type = types.get(count(r));
                        imports.add(new WasmModule.FunctionImport(module, name, type[0], type[1]));
                    }
                    case 1 -> { // table: reftype + limits
                        r.u8();
                        r.limits();
                    }
                    case 2 -> r.limits();
                    case 3 -> { // global: valtype + mut
                        r.u8();
                        r.u8();
                    }
                    default ->
                        throw new IllegalArgumentException(
                                "wasm: import " + module + "." + name + " kind " + kind + " (expected: 0-3)");
                }
            }
        }
        return imports;
    }

    /**
     * Whether the module has a start function, which runs (and may call imports) while it is instantiated. Such a
     * module cannot be instantiated before the request whose hostcalls it calls. Throws on a module whose sections run
     * past its end.
     */
    public static boolean hasStartFunction(byte[] wasm) {
        return WasmReader.sections(wasm)[START] != null;
    }

    private static int u32le(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff) << 16 | (b[at + 3] & 0xff) << 24;
    }

    /** A count or index; one that does not fit in an int is past anything a module can hold. */
    private static int count(WasmReader r) {
        long n = r.u32();
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("wasm: a count of " + n + " at byte " + r.pos + " (too large)");
        }
        return (int) n;
    }
}
