package dev.outpost.edge.engine;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Merges a module's active data segments that lie close together into fewer, larger ones. Wizer snapshots (every
 * {@code @fastly/js-compute} app) carry the initialised JS heap as up to 10,000 small segments; an engine that links
 * each segment separately pays for that on every instantiation. Merging fills the short gaps with zeros, which fresh
 * memory holds anyway, so the initial memory is the same byte for byte.
 *
 * <p>Only applies when every segment is active, targets memory 0 at an {@code i32.const} offset and no two overlap.
 * The segment count shrinks, so a module whose code names segments ({@code memory.init}, {@code data.drop}) by an
 * index beyond the new count no longer validates: callers validate the result and keep the original when it fails.
 * Indices below the new count behave the same, since active segments are dropped once applied.
 */
public final class DataSegments {
    private static final int DATA_SECTION = 11;
    private static final int DATA_COUNT_SECTION = 12;

    private DataSegments() {}

    /** One active segment: where it goes and its bytes in the module. */
    record Segment(long offset, int start, int length) {
        long end() {
            return offset + length;
        }
    }

    /**
     * The module with its data segments merged across gaps of at most {@code maxGap} zero bytes, or {@code wasm}
     * itself when there is nothing to gain or the data section has a form this does not handle.
     */
    public static byte[] coalesce(byte[] wasm, int maxGap) {
        try {
            return rewrite(wasm, maxGap);
        } catch (RuntimeException e) {
            // A malformed module: let the engine report it on the original bytes.
            return wasm;
        }
    }

    private static byte[] rewrite(byte[] wasm, int maxGap) {
        if (wasm.length < 8 || wasm[0] != 0 || wasm[1] != 'a' || wasm[2] != 's' || wasm[3] != 'm' || wasm[4] != 1) {
            return wasm;
        }
        int[] dataSection = WasmReader.sections(wasm)[DATA_SECTION];
        if (dataSection == null) {
            return wasm;
        }
        int dataStart = dataSection[0];
        int dataEnd = dataSection[1];
        List<Segment> segments = readSegments(wasm, dataStart, dataEnd);
        if (segments == null || segments.size() < 2) {
            return wasm;
        }
        segments.sort(Comparator.comparingLong(Segment::offset));
        List<List<Segment>> groups = new ArrayList<>();
        List<Segment> group = new ArrayList<>();
        long groupEnd = Long.MIN_VALUE;
        for (Segment s : segments) {
            if (s.offset() < groupEnd) {
                return wasm; // overlapping segments: their order matters; leave them alone
            }
            if (!group.isEmpty() && s.offset() - groupEnd > maxGap) {
                groups.add(group);
                group = new ArrayList<>();
            }
            group.add(s);
            groupEnd = s.end();
        }
        groups.add(group);
        if (groups.size() == segments.size()) {
            return wasm;
        }

        ByteArrayOutputStream data = new ByteArrayOutputStream(dataEnd - dataStart + 1024);
        writeU32(data, groups.size());
        for (List<Segment> g : groups) {
            long base = g.get(0).offset();
            int length = (int) (g.get(g.size() - 1).end() - base);
            byte[] bytes = new byte[length];
            for (Segment s : g) {
                System.arraycopy(wasm, s.start(), bytes, (int) (s.offset() - base), s.length());
            }
            data.write(0); // active, memory 0
            data.write(0x41); // i32.const
            writeS32(data, (int) base);
            data.write(0x0b); // end
            writeU32(data, length);
            data.writeBytes(bytes);
        }
        byte[] section = data.toByteArray();

        ByteArrayOutputStream out = new ByteArrayOutputStream(wasm.length + section.length - (dataEnd - dataStart));
        out.write(wasm, 0, 8);
        WasmReader in = new WasmReader(wasm, 8);
        while (in.pos < wasm.length) {
            int sectionStart = in.pos;
            int id = in.u8();
            int size = in.size();
            in.pos += size;
            if (id == DATA_SECTION) {
                out.write(DATA_SECTION);
                writeU32(out, section.length);
                out.writeBytes(section);
            } else if (id == DATA_COUNT_SECTION) {
                ByteArrayOutputStream count = new ByteArrayOutputStream();
                writeU32(count, groups.size());
                out.write(DATA_COUNT_SECTION);
                writeU32(out, count.size());
                out.writeBytes(count.toByteArray());
            } else {
                out.write(wasm, sectionStart, in.pos - sectionStart);
            }
        }
        return out.toByteArray();
    }

    /** The segments, or null when one of them is not an active memory-0 segment at a constant offset. */
    static List<Segment> readSegments(byte[] wasm, int start, int end) {
        WasmReader in = new WasmReader(wasm, start);
        long count = in.u32();
        List<Segment> segments = new ArrayList<>((int) Math.min(count, 1 << 16));
        for (long i = 0; i < count; i++) {
            long flags = in.u32();
            if (flags == 2 && in.u32() != 0) {
                return null;
            }
            if (flags != 0 && flags != 2) {
                return null; // passive
            }
            if (in.u8() != 0x41) {
                return null; // offset from a global
            }
            long offset = Integer.toUnsignedLong(in.s32());
            if (in.u8() != 0x0b) {
                return null;
            }
            int length = in.size();
            segments.add(new Segment(offset, in.pos, length));
            in.pos += length;
            if (in.pos > end) {
                return null;
            }
        }
        return in.pos == end ? segments : null;
    }

    static void writeU32(ByteArrayOutputStream out, long value) {
        do {
            int b = (int) (value & 0x7f);
            value >>>= 7;
            out.write(value != 0 ? b | 0x80 : b);
        } while (value != 0);
    }

    static void writeS32(ByteArrayOutputStream out, int value) {
        while (true) {
            int b = value & 0x7f;
            value >>= 7;
            boolean done = value == 0 && (b & 0x40) == 0 || value == -1 && (b & 0x40) != 0;
            out.write(done ? b : b | 0x80);
            if (done) {
                return;
            }
        }
    }
}
