package dev.outpost.edge.engine;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

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
 *
 * <p>When it can, the split also adds reset functions ({@link Parts#resettable()}): the data module keeps its segments
 * passive and exports {@value #RESET_MEMORY}, which writes zeros between them and copies them in again (its start
 * function copies them in at instantiation, so a new instance is as before), and the code module exports
 * {@value #RESET_GLOBALS}, which sets every mutable global it defines to its initial value again. With memory, globals
 * and tables the whole of an instance's state, both resets together give an instance whose memory has not grown the
 * state of a new one, provided the code never writes a table ({@link #mayWriteTables}, checked apart because it walks
 * every instruction: a quarter of a second for a JS app in a cold JVM).
 */
public final class ModuleSplit {
    static final String MEMORY_MODULE = "outpost_snapshot";
    static final String MEMORY_NAME = "memory";
    /** The data module's export that puts the initial memory back. */
    static final String RESET_MEMORY = "outpost_reset";
    /** The code module's export that puts the initial values of its mutable globals back. */
    static final String RESET_GLOBALS = "outpost_reset_globals";

    private static final int TYPE = 1;
    private static final int IMPORT = 2;
    private static final int FUNCTION = 3;
    private static final int MEMORY = 5;
    private static final int GLOBAL = 6;
    private static final int EXPORT = 7;
    private static final int START = 8;
    private static final int CODE = 10;
    private static final int DATA = 11;
    private static final int DATA_COUNT = 12;
    private static final long PAGE = 65536;

    private ModuleSplit() {}

    /** The two parts of a module; {@code resettable} when they export {@value #RESET_MEMORY} and {@value #RESET_GLOBALS}. */
    public record Parts(byte[] code, byte[] data, boolean resettable) {}

    /**
     * Whether the module's code can change a table or has an instruction {@link Instructions} does not know (then a
     * reset instance might differ from a new one): false for a module without code, true for one this cannot read.
     */
    public static boolean mayWriteTables(byte[] wasm) {
        try {
            int[] code = codeSection(wasm);
            return code != null && Instructions.mayWriteTables(wasm, code[0], code[1]);
        } catch (RuntimeException e) {
            return true;
        }
    }

    /** The size of the module's code section, 0 without one (or in a module this cannot read). */
    static int codeSize(byte[] wasm) {
        try {
            int[] code = codeSection(wasm);
            return code == null ? 0 : code[1] - code[0];
        } catch (RuntimeException e) {
            return 0;
        }
    }

    /** Where the code section's content starts and ends, or null without one. */
    private static int[] codeSection(byte[] wasm) {
        return WasmReader.sections(wasm)[CODE];
    }

    /** The parts, or null when the module does not have the one plain memory this needs. */
    public static Parts split(byte[] wasm) {
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
        int[][] sections = WasmReader.sections(wasm);
        if (sections[IMPORT] != null && Imports.read(wasm, sections[IMPORT][0]).memory()) {
            return null;
        }
        int[] memory = sections[MEMORY];
        int[] dataSection = sections[DATA];
        if (memory == null || dataSection == null || !onePlainMemory(wasm, memory[0], memory[1])) {
            return null;
        }
        Reset reset = Reset.of(wasm, sections);

        ByteArrayOutputStream code = new ByteArrayOutputStream(wasm.length);
        code.write(wasm, 0, 8);
        boolean importWritten = false;
        WasmReader in = new WasmReader(wasm, 8);
        while (in.pos < wasm.length) {
            int sectionStart = in.pos;
            int id = in.u8();
            int size = in.size();
            int contentStart = in.pos;
            in.pos += size;
            if (id == MEMORY || id == DATA || id == DATA_COUNT) {
                continue;
            }
            byte[] replaced = reset == null ? null : reset.codeSection(id, wasm, contentStart, contentStart + size);
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
            if (replaced != null) {
                section(code, id, replaced);
            } else {
                code.write(wasm, sectionStart, in.pos - sectionStart);
            }
        }
        if (!importWritten) {
            section(code, IMPORT, withMemoryImport(null, 0, 0));
        }

        byte[] data = reset == null
                ? dataModule(wasm, memory[0], memory[1], dataSection[0], dataSection[1])
                : reset.dataModule(wasm, memory[0], memory[1]);
        return new Parts(code.toByteArray(), data, reset != null);
    }

    /** Memory, its export and the original (active) data section. */
    private static byte[] dataModule(byte[] wasm, int memoryStart, int memoryEnd, int dataStart, int dataEnd) {
        ByteArrayOutputStream data = new ByteArrayOutputStream(dataEnd - dataStart + 64);
        data.write(wasm, 0, 8);
        section(data, MEMORY, slice(wasm, memoryStart, memoryEnd));
        ByteArrayOutputStream export = new ByteArrayOutputStream();
        DataSegments.writeU32(export, 1);
        name(export, MEMORY_NAME);
        export.write(0x02); // memory
        DataSegments.writeU32(export, 0);
        section(data, EXPORT, export.toByteArray());
        section(data, DATA, slice(wasm, dataStart, dataEnd));
        return data.toByteArray();
    }

    /**
     * What the resettable parts add: the data segments (active ones at constant offsets, in module order) and the body
     * of the globals' reset function.
     */
    private record Reset(List<DataSegments.Segment> segments, byte[] globalsBody, long typeCount, long functionIndex) {

        /** Null when the module has a form the reset does not cover. */
        static Reset of(byte[] wasm, int[][] sections) {
            int[] types = sections[TYPE];
            int[] functions = sections[FUNCTION];
            int[] exports = sections[EXPORT];
            int[] code = sections[CODE];
            int[] data = sections[DATA];
            if (types == null || functions == null || exports == null || code == null || sections[START] != null) {
                return null;
            }
            List<DataSegments.Segment> segments = DataSegments.readSegments(wasm, data[0], data[1]);
            if (segments == null) {
                return null;
            }
            long importedFunctions = 0;
            long importedGlobals = 0;
            if (sections[IMPORT] != null) {
                Imports imports = Imports.read(wasm, sections[IMPORT][0]);
                if (!imports.plainGlobals()) {
                    return null;
                }
                importedFunctions = imports.functions();
                importedGlobals = imports.globals();
            }
            byte[] body = sections[GLOBAL] == null
                    ? new byte[] {0, 0x0b}
                    : globalsBody(wasm, sections[GLOBAL][0], importedGlobals);
            if (body == null) {
                return null;
            }
            long typeCount = new WasmReader(wasm, types[0]).u32();
            long defined = new WasmReader(wasm, functions[0]).u32();
            return new Reset(segments, body, typeCount, importedFunctions + defined);
        }

        /** The code module's section {@code id} with the reset function added, or null when it stays as it is. */
        byte[] codeSection(int id, byte[] wasm, int start, int end) {
            return switch (id) {
                case TYPE -> append(wasm, start, end, new byte[] {0x60, 0, 0});
                case FUNCTION -> append(wasm, start, end, u32(typeCount));
                case EXPORT -> {
                    ByteArrayOutputStream entry = new ByteArrayOutputStream();
                    name(entry, RESET_GLOBALS);
                    entry.write(0x00); // function
                    DataSegments.writeU32(entry, functionIndex);
                    yield append(wasm, start, end, entry.toByteArray());
                }
                case CODE -> {
                    ByteArrayOutputStream entry = new ByteArrayOutputStream();
                    DataSegments.writeU32(entry, globalsBody.length);
                    entry.writeBytes(globalsBody);
                    yield append(wasm, start, end, entry.toByteArray());
                }
                default -> null;
            };
        }

        /**
         * The memory, two functions of type {@code () -> ()} ({@value #RESET_MEMORY}: zeros between the segments, then
         * the segments; the start function: the segments alone, into fresh zeroed memory), and the segments as passive
         * ones.
         */
        byte[] dataModule(byte[] wasm, int memoryStart, int memoryEnd) {
            WasmReader limits = new WasmReader(wasm, memoryStart);
            limits.u32();
            limits.u8();
            long bytes = limits.u32() * PAGE;

            ByteArrayOutputStream init = new ByteArrayOutputStream();
            for (int i = 0; i < segments.size(); i++) {
                DataSegments.Segment segment = segments.get(i);
                i32Const(init, segment.offset());
                i32Const(init, 0);
                i32Const(init, segment.length());
                init.write(0xfc);
                DataSegments.writeU32(init, 8); // memory.init
                DataSegments.writeU32(init, i);
                init.write(0x00);
            }
            ByteArrayOutputStream clear = new ByteArrayOutputStream();
            List<DataSegments.Segment> sorted = new ArrayList<>(segments);
            sorted.sort(Comparator.comparingLong(DataSegments.Segment::offset));
            long covered = 0;
            for (DataSegments.Segment segment : sorted) {
                fill(clear, covered, Math.min(segment.offset(), bytes));
                covered = Math.max(covered, segment.end());
            }
            fill(clear, covered, bytes);

            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(wasm, 0, 8);
            section(out, TYPE, new byte[] {1, 0x60, 0, 0});
            section(out, FUNCTION, new byte[] {2, 0, 0});
            section(out, MEMORY, slice(wasm, memoryStart, memoryEnd));
            ByteArrayOutputStream export = new ByteArrayOutputStream();
            DataSegments.writeU32(export, 2);
            name(export, MEMORY_NAME);
            export.write(0x02); // memory
            DataSegments.writeU32(export, 0);
            name(export, RESET_MEMORY);
            export.write(0x00); // function
            DataSegments.writeU32(export, 0);
            section(out, EXPORT, export.toByteArray());
            section(out, START, new byte[] {1});
            section(out, DATA_COUNT, u32(segments.size()));
            ByteArrayOutputStream codeSection = new ByteArrayOutputStream();
            DataSegments.writeU32(codeSection, 2);
            body(codeSection, clear.toByteArray(), init.toByteArray());
            body(codeSection, init.toByteArray());
            section(out, CODE, codeSection.toByteArray());
            ByteArrayOutputStream dataSection = new ByteArrayOutputStream();
            DataSegments.writeU32(dataSection, segments.size());
            for (DataSegments.Segment segment : segments) {
                dataSection.write(0x01); // passive
                DataSegments.writeU32(dataSection, segment.length());
                dataSection.write(wasm, segment.start(), segment.length());
            }
            section(out, DATA, dataSection.toByteArray());
            return out.toByteArray();
        }

        /** {@code memory.fill(from, 0, to - from)} when the range is not empty. */
        private static void fill(ByteArrayOutputStream out, long from, long to) {
            if (to <= from) {
                return;
            }
            i32Const(out, from);
            i32Const(out, 0);
            i32Const(out, to - from);
            out.write(0xfc);
            DataSegments.writeU32(out, 11); // memory.fill
            out.write(0x00);
        }

        private static void body(ByteArrayOutputStream out, byte[]... code) {
            int length = 1 + 1; // no locals, end
            for (byte[] c : code) {
                length += c.length;
            }
            DataSegments.writeU32(out, length);
            out.write(0); // no locals
            for (byte[] c : code) {
                out.writeBytes(c);
            }
            out.write(0x0b);
        }

        private static void i32Const(ByteArrayOutputStream out, long unsigned) {
            out.write(0x41);
            DataSegments.writeS32(out, (int) unsigned); // i32.const is signed; memory instructions read it unsigned
        }

        /** A vector section's content with one more entry at its end. */
        private static byte[] append(byte[] wasm, int start, int end, byte[] entry) {
            WasmReader r = new WasmReader(wasm, start);
            long count = r.u32();
            ByteArrayOutputStream out = new ByteArrayOutputStream(end - start + entry.length + 5);
            DataSegments.writeU32(out, count + 1);
            out.write(wasm, r.pos, end - r.pos);
            out.writeBytes(entry);
            return out.toByteArray();
        }

        /**
         * A function body setting each mutable global the module defines to its initial expression, or null when a
         * global has a form this does not read.
         */
        private static byte[] globalsBody(byte[] wasm, int start, long importedGlobals) {
            WasmReader r = new WasmReader(wasm, start);
            long count = r.u32();
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            body.write(0); // no locals
            for (long i = 0; i < count; i++) {
                if (!Instructions.plainValueType(r.u8())) {
                    return null;
                }
                boolean mutable = r.u8() == 1;
                int exprStart = r.pos;
                int found;
                while ((found = Instructions.next(r)) != Instructions.END) {
                    if (found != Instructions.OTHER) {
                        return null;
                    }
                }
                if (mutable) {
                    body.write(wasm, exprStart, r.pos - 1 - exprStart);
                    body.write(0x24); // global.set
                    DataSegments.writeU32(body, importedGlobals + i);
                }
            }
            body.write(0x0b);
            return body.toByteArray();
        }
    }

    private static byte[] u32(long value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(5);
        DataSegments.writeU32(out, value);
        return out.toByteArray();
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

    /**
     * What a module imports, by kind; {@code plainGlobals} is false when a global has a type of more than one byte (GC),
     * whose initial expression the globals' reset does not read.
     */
    private record Imports(long functions, long globals, boolean memory, boolean plainGlobals) {
        static Imports read(byte[] wasm, int start) {
            WasmReader r = new WasmReader(wasm, start);
            long count = r.u32();
            long functions = 0;
            long globals = 0;
            boolean memory = false;
            boolean plain = true;
            for (long i = 0; i < count; i++) {
                int module = r.size();
                r.pos += module;
                int name = r.size();
                r.pos += name;
                int kind = r.u8();
                switch (kind) {
                    case 0 -> {
                        r.u32();
                        functions++;
                    }
                    case 1 -> {
                        r.u8();
                        r.limits();
                    }
                    case 2 -> {
                        r.limits();
                        memory = true;
                    }
                    case 3 -> {
                        plain &= Instructions.plainValueType(r.u8());
                        r.u8();
                        globals++;
                    }
                    default -> throw new IllegalArgumentException("import kind " + kind);
                }
            }
            return new Imports(functions, globals, memory, plain);
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
        DataSegments.writeU32(out, count + 1);
        if (wasm != null) {
            out.write(wasm, entries, end - entries);
        }
        name(out, MEMORY_MODULE);
        name(out, MEMORY_NAME);
        out.write(0x02); // memory
        out.write(0x00); // limits: minimum only
        DataSegments.writeU32(out, 0);
        return out.toByteArray();
    }

    private static byte[] slice(byte[] wasm, int start, int end) {
        byte[] out = new byte[end - start];
        System.arraycopy(wasm, start, out, 0, out.length);
        return out;
    }

    private static void section(ByteArrayOutputStream out, int id, byte[] content) {
        out.write(id);
        DataSegments.writeU32(out, content.length);
        out.writeBytes(content);
    }

    private static void name(ByteArrayOutputStream out, String name) {
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        DataSegments.writeU32(out, bytes.length);
        out.writeBytes(bytes);
    }
}
