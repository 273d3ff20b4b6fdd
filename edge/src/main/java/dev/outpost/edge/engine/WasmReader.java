package dev.outpost.edge.engine;

import java.nio.charset.StandardCharsets;

/**
 * Reads a Wasm binary's bytes and LEB128 numbers from a position (the section walks of {@link DataSegments},
 * {@link ModuleSplit} and {@link WasmImports}).
 */
final class WasmReader {
    private final byte[] bytes;
    int pos;

    WasmReader(byte[] bytes, int pos) {
        this.bytes = bytes;
        this.pos = pos;
    }

    /**
     * Where each known section's content starts and ends ({@code [start, end]}, indexed by section id 1–12; the last
     * one when an id repeats), from the walk over a module's section headers. Throws on a section that runs past the
     * end.
     */
    static int[][] sections(byte[] wasm) {
        int[][] sections = new int[13][];
        WasmReader in = new WasmReader(wasm, 8);
        while (in.pos < wasm.length) {
            int id = in.u8();
            int size = in.size();
            if (id > 0 && id < sections.length) {
                sections[id] = new int[] {in.pos, in.pos + size};
            }
            in.pos += size;
        }
        return sections;
    }

    int peek() {
        return bytes[pos] & 0xff;
    }

    int u8() {
        return bytes[pos++] & 0xff;
    }

    long u32() {
        long result = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            int b = u8();
            result |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return result;
            }
        }
        throw new IllegalArgumentException("LEB128 too long at " + pos);
    }

    /**
     * A size or length (u32) that fits in the bytes left; a larger one (a malformed module) throws instead of sending
     * a walk past the end or, cast to an int, backwards.
     */
    int size() {
        long n = u32();
        if (n > bytes.length - pos) {
            throw new IllegalArgumentException("wasm: a size of " + n + " at byte " + pos
                    + " runs past the end of the module (" + bytes.length + " bytes)");
        }
        return (int) n;
    }

    /** A name: its length, then as many bytes of UTF-8. */
    String name() {
        int length = size();
        String name = new String(bytes, pos, length, StandardCharsets.UTF_8);
        pos += length;
        return name;
    }

    /** Skips a table's or memory's limits: flags, minimum, and the maximum when flag 1 says there is one. */
    void limits() {
        int flags = u8();
        u32();
        if ((flags & 1) != 0) {
            u32();
        }
    }

    int s32() {
        int result = 0;
        int shift = 0;
        int b;
        do {
            b = u8();
            result |= (b & 0x7f) << shift;
            shift += 7;
        } while ((b & 0x80) != 0 && shift < 35);
        if (shift < 32 && (b & 0x40) != 0) {
            result |= -1 << shift;
        }
        return result;
    }
}
