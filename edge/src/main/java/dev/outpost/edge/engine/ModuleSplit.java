package dev.outpost.edge.engine;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Splits a module into its code and its initial memory. Every {@code @fastly/js-compute} app is the same JS engine
 * (identical code, types, imports and tables) plus a Wizer snapshot of its own JS heap in the data section; a rebuild
 * after editing the JS changes only that snapshot. With the two apart, an engine parses and compiles the code once,
 * for every app and every reload that shares it, and each instance gets its memory from a small data module.
 *
 * <p>The code module is the original without its memory, data and data count sections, importing its memory instead
 * as {@value #MEMORY_MODULE}.{@value #MEMORY_NAME} (limits {@code 0..}, so memories of any size link). The data module
 * defines the original memory, exports it as {@value #MEMORY_NAME} and holds the original data section. Instantiating
 * the data module and then the code module against its memory gives the same initial state as the original module
 * (the data is written before any code runs). Applies only to a module with one memory of its own (not imported,
 * 32-bit, not shared); a module whose code names data segments ({@code memory.init}, {@code data.drop}) no longer
 * validates without them: callers validate both parts and keep the original module when that fails.
 */
final class ModuleSplit {
    static final String MEMORY_MODULE = "outpost_snapshot";
    static final String MEMORY_NAME = "memory";

    private static final int TYPE = 1;
    private static final int IMPORT = 2;
    private static final int MEMORY = 5;
    private static final int EXPORT = 7;
    private static final int DATA = 11;
    private static final int DATA_COUNT = 12;

    private ModuleSplit() {}

    /** The two parts of a module. */
    record Parts(byte[] code, byte[] data) {}

    /** The parts, or null when the module does not have the one plain memory this needs. */
    static Parts split(byte[] wasm) {
        try {
            return rewrite(wasm);
        } catch (RuntimeException e) {
            return null; // malformed: the engine reports it on the original
        }
    }

    private static Parts rewrite(byte[] wasm) {
        if (wasm.length < 8 || wasm[0] != 0 || wasm[1] != 'a' || wasm[2] != 's' || wasm[3] != 'm' || wasm[4] != 1) {
            return null;
        }
        WasmReader in = new WasmReader(wasm, 8);
        int memoryStart = -1;
        int memoryEnd = -1;
        int dataStart = -1;
        int dataEnd = -1;
        while (in.pos < wasm.length) {
            int id = in.u8();
            int size = (int) in.u32();
            int start = in.pos;
            switch (id) {
                case MEMORY -> {
                    memoryStart = start;
                    memoryEnd = start + size;
                }
                case DATA -> {
                    dataStart = start;
                    dataEnd = start + size;
                }
                case IMPORT -> {
                    if (importsMemory(wasm, start)) {
                        return null;
                    }
                }
                default -> {}
            }
            in.pos = start + size;
        }
        if (memoryStart < 0 || dataStart < 0 || !onePlainMemory(wasm, memoryStart, memoryEnd)) {
            return null;
        }

        ByteArrayOutputStream code = new ByteArrayOutputStream(wasm.length);
        code.write(wasm, 0, 8);
        boolean importWritten = false;
        in = new WasmReader(wasm, 8);
        while (in.pos < wasm.length) {
            int sectionStart = in.pos;
            int id = in.u8();
            int size = (int) in.u32();
            int contentStart = in.pos;
            in.pos += size;
            if (id == MEMORY || id == DATA || id == DATA_COUNT) {
                continue;
            }
            if (!importWritten && id != 0 && id != TYPE) {
                // The import section, or where it belongs (after the types) when the module has none.
                byte[] imports = id == IMPORT
                        ? withMemoryImport(wasm, contentStart, contentStart + size)
                        : withMemoryImport(null, 0, 0);
                section(code, IMPORT, imports);
                importWritten = true;
                if (id == IMPORT) {
                    continue;
                }
            }
            code.write(wasm, sectionStart, in.pos - sectionStart);
        }
        if (!importWritten) {
            section(code, IMPORT, withMemoryImport(null, 0, 0));
        }

        ByteArrayOutputStream data = new ByteArrayOutputStream(dataEnd - dataStart + 64);
        data.write(wasm, 0, 8);
        section(data, MEMORY, slice(wasm, memoryStart, memoryEnd));
        ByteArrayOutputStream export = new ByteArrayOutputStream();
        writeU32(export, 1);
        name(export, MEMORY_NAME);
        export.write(0x02); // memory
        writeU32(export, 0);
        section(data, EXPORT, export.toByteArray());
        section(data, DATA, slice(wasm, dataStart, dataEnd));
        return new Parts(code.toByteArray(), data.toByteArray());
    }

    /** One memory, 32-bit and not shared (limits flags 0 or 1). */
    private static boolean onePlainMemory(byte[] wasm, int start, int end) {
        WasmReader r = new WasmReader(wasm, start);
        if (r.u32() != 1) {
            return false;
        }
        int flags = r.u8();
        return flags == 0 || flags == 1;
    }

    private static boolean importsMemory(byte[] wasm, int start) {
        WasmReader r = new WasmReader(wasm, start);
        long count = r.u32();
        for (long i = 0; i < count; i++) {
            int module = (int) r.u32();
            r.pos += module;
            int name = (int) r.u32();
            r.pos += name;
            int kind = r.u8();
            switch (kind) {
                case 0 -> r.u32();
                case 1 -> {
                    r.u8();
                    limits(r);
                }
                case 2 -> {
                    return true;
                }
                case 3 -> r.pos += 2;
                default -> throw new IllegalArgumentException("import kind " + kind);
            }
        }
        return false;
    }

    private static void limits(WasmReader r) {
        int flags = r.u8();
        r.u32();
        if ((flags & 1) != 0) {
            r.u32();
        }
    }

    /** The import section's content with the memory import appended (or alone, for {@code null}). */
    private static byte[] withMemoryImport(byte[] wasm, int start, int end) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(end - start + 32);
        long count = 0;
        int entries = start;
        if (wasm != null) {
            WasmReader r = new WasmReader(wasm, start);
            count = r.u32();
            entries = r.pos;
        }
        writeU32(out, count + 1);
        if (wasm != null) {
            out.write(wasm, entries, end - entries);
        }
        name(out, MEMORY_MODULE);
        name(out, MEMORY_NAME);
        out.write(0x02); // memory
        out.write(0x00); // limits: minimum only
        writeU32(out, 0);
        return out.toByteArray();
    }

    private static byte[] slice(byte[] wasm, int start, int end) {
        byte[] out = new byte[end - start];
        System.arraycopy(wasm, start, out, 0, out.length);
        return out;
    }

    private static void section(ByteArrayOutputStream out, int id, byte[] content) {
        out.write(id);
        writeU32(out, content.length);
        out.writeBytes(content);
    }

    private static void name(ByteArrayOutputStream out, String name) {
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        writeU32(out, bytes.length);
        out.writeBytes(bytes);
    }

    private static void writeU32(ByteArrayOutputStream out, long value) {
        do {
            int b = (int) (value & 0x7f);
            value >>>= 7;
            out.write(value != 0 ? b | 0x80 : b);
        } while (value != 0);
    }
}
