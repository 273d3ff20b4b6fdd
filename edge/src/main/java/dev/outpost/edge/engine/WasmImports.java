package dev.outpost.edge.engine;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the function imports of a core Wasm module (type and import sections only). Pure function of the bytes; used
 * where an engine does not expose its module's imports.
 */
public final class WasmImports {
    private WasmImports() {}

    public static List<WasmModule.FunctionImport> functions(byte[] wasm) {
        Reader r = new Reader(wasm);
        if (wasm.length < 8 || r.u32le() != 0x6d736100) {
            throw new IllegalArgumentException("wasm: bad magic (expected: \\0asm)");
        }
        int version = r.u32le();
        if (version != 1) {
            throw new IllegalArgumentException("wasm: version " + version + " (expected: 1, a core module)");
        }
        List<int[]> types = new ArrayList<>();
        List<WasmModule.FunctionImport> imports = new ArrayList<>();
        while (r.pos < wasm.length) {
            int id = r.u8();
            int size = r.size();
            int end = r.pos + size;
            if (id == 1) {
                int count = r.leb();
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
            } else if (id == 2) {
                int count = r.leb();
                for (int i = 0; i < count; i++) {
                    String module = r.name();
                    String name = r.name();
                    int kind = r.u8();
                    switch (kind) {
                        case 0 -> {
                            int[] type = types.get(r.leb());
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
                return imports;
            }
            r.pos = end;
        }
        return imports;
    }

    /**
     * Whether the module has a start function, which runs (and may call imports) while it is instantiated. Such a
     * module cannot be instantiated before the request whose hostcalls it calls.
     */
    public static boolean hasStartFunction(byte[] wasm) {
        Reader r = new Reader(wasm);
        r.pos = 8;
        while (r.pos < wasm.length) {
            int id = r.u8();
            int size = r.size();
            if (id == 8) {
                return true;
            }
            r.pos += size;
        }
        return false;
    }

    private static final class Reader {
        final byte[] b;
        int pos;

        Reader(byte[] b) {
            this.b = b;
        }

        int u8() {
            return b[pos++] & 0xff;
        }

        int u32le() {
            int v = (b[pos] & 0xff) | (b[pos + 1] & 0xff) << 8 | (b[pos + 2] & 0xff) << 16 | (b[pos + 3] & 0xff) << 24;
            pos += 4;
            return v;
        }

        int leb() {
            int result = 0;
            int shift = 0;
            while (true) {
                int x = u8();
                result |= (x & 0x7f) << shift;
                if ((x & 0x80) == 0) {
                    return result;
                }
                shift += 7;
            }
        }

        /** A size or count that fits in the bytes left (one past it would send the walk past the end, or backwards). */
        int size() {
            int at = pos;
            int n = leb();
            if (n < 0 || n > b.length - pos) {
                throw new IllegalArgumentException("wasm: a size of " + Integer.toUnsignedString(n) + " at byte " + at
                        + " runs past the end of the module (" + b.length + " bytes)");
            }
            return n;
        }

        String name() {
            int len = size();
            String s = new String(b, pos, len, StandardCharsets.UTF_8);
            pos += len;
            return s;
        }

        void limits() {
            int flags = u8();
            leb();
            if ((flags & 1) != 0) {
                leb();
            }
        }
    }
}
