package dev.outpost.edge.engine;

/**
 * Walks Wasm instructions by their encoding: enough to step over each one's immediates and to tell whether code can
 * change a table. Opcodes from proposals it does not know (GC, typed function references' casts, exception handling's
 * newer forms) end the walk as {@link #UNKNOWN}: callers treat that as "may do anything".
 */
final class Instructions {
    /** What {@link #next} found: an instruction that changes a table's size or entries. */
    static final int TABLE_WRITE = 1;
    /** What {@link #next} found: an opcode this walker cannot step over. */
    static final int UNKNOWN = 2;
    /** What {@link #next} found: the {@code end} opcode. */
    static final int END = 3;
    /** What {@link #next} found: any other instruction, stepped over. */
    static final int OTHER = 0;

    private Instructions() {}

    /**
     * Whether some function body in the module's code section can change a table ({@code table.set}, {@code table.grow},
     * {@code table.fill}, {@code table.copy}, {@code table.init}, {@code elem.drop}), or has an instruction this walker
     * does not know. False only when every body was walked to its end and none can.
     */
    static boolean mayWriteTables(byte[] wasm, int codeStart, int codeEnd) {
        try {
            WasmReader in = new WasmReader(wasm, codeStart);
            long count = in.u32();
            for (long f = 0; f < count; f++) {
                int size = in.size();
                int end = in.pos + size;
                long groups = in.u32();
                for (long g = 0; g < groups; g++) {
                    in.u32();
                    if (!valueType(in)) {
                        return true;
                    }
                }
                while (in.pos < end) {
                    int found = next(in);
                    if (found == TABLE_WRITE || found == UNKNOWN) {
                        return true;
                    }
                }
                if (in.pos != end) {
                    return true;
                }
            }
            return in.pos != codeEnd;
        } catch (RuntimeException e) {
            return true; // malformed: assume the worst
        }
    }

    /** Steps over one value type; false for a reference type with a heap type (GC), which this does not read. */
    private static boolean valueType(WasmReader in) {
        return plainValueType(in.u8());
    }

    /** i32, i64, f32, f64, v128, funcref or externref: a value type of one byte. */
    static boolean plainValueType(int t) {
        return t == 0x7f || t == 0x7e || t == 0x7d || t == 0x7c || t == 0x7b || t == 0x70 || t == 0x6f;
    }

    /** Steps over one instruction and says what it was. */
    static int next(WasmReader in) {
        int op = in.u8();
        return switch (op) {
            case 0x0b -> END;
            case 0x00, 0x01, 0x05, 0x0f, 0x1a, 0x1b, 0xd1 -> OTHER;
            case 0x02, 0x03, 0x04 -> blockType(in) ? OTHER : UNKNOWN;
            case 0x0c, 0x0d, 0x10, 0x12, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x3f, 0x40, 0xd2 -> {
                in.u32();
                yield OTHER;
            }
            case 0x0e -> {
                long n = in.u32();
                for (long i = 0; i <= n; i++) {
                    in.u32();
                }
                yield OTHER;
            }
            case 0x11, 0x13 -> {
                in.u32();
                in.u32();
                yield OTHER;
            }
            case 0x1c -> {
                long n = in.u32();
                for (long i = 0; i < n; i++) {
                    if (!valueType(in)) {
                        yield UNKNOWN;
                    }
                }
                yield OTHER;
            }
            case 0x26 -> TABLE_WRITE;
            case 0x41 -> {
                in.s32();
                yield OTHER;
            }
            case 0x42 -> {
                s64(in);
                yield OTHER;
            }
            case 0x43 -> {
                in.pos += 4;
                yield OTHER;
            }
            case 0x44 -> {
                in.pos += 8;
                yield OTHER;
            }
            case 0xd0 -> {
                int heapType = in.u8();
                yield heapType == 0x70 || heapType == 0x6f ? OTHER : UNKNOWN;
            }
            case 0xfc -> misc(in);
            case 0xfd -> simd(in);
            case 0xfe -> atomic(in);
            default -> {
                if (op >= 0x28 && op <= 0x3e) {
                    memArg(in);
                    yield OTHER;
                }
                yield op >= 0x45 && op <= 0xc4 ? OTHER : UNKNOWN;
            }
        };
    }

    /** An empty or single-value block type, or a type index. */
    private static boolean blockType(WasmReader in) {
        int b = in.peek();
        if (b == 0x40) {
            in.pos++;
            return true;
        }
        if ((b & 0x80) == 0 && (b & 0x40) != 0) {
            return valueType(in); // a negative one-byte number: a value type
        }
        return s33(in) >= 0;
    }

    private static int misc(WasmReader in) {
        long sub = in.u32();
        if (sub <= 7) {
            return OTHER; // saturating truncations
        }
        return switch ((int) sub) {
            case 8, 10 -> { // memory.init data memory; memory.copy memory memory
                in.u32();
                in.u32();
                yield OTHER;
            }
            case 9, 11, 16 -> { // data.drop, memory.fill, table.size
                in.u32();
                yield OTHER;
            }
            case 12, 13, 14, 15, 17 -> TABLE_WRITE;
            default -> UNKNOWN;
        };
    }

    private static int simd(WasmReader in) {
        long sub = in.u32();
        if (sub <= 11 || sub == 92 || sub == 93) {
            memArg(in);
        } else if (sub == 12 || sub == 13) {
            in.pos += 16;
        } else if (sub >= 21 && sub <= 34) {
            in.u8();
        } else if (sub >= 84 && sub <= 91) {
            memArg(in);
            in.u8();
        } else if (sub > 0x113) {
            return UNKNOWN;
        }
        return OTHER;
    }

    private static int atomic(WasmReader in) {
        long sub = in.u32();
        if (sub == 3) {
            in.u8(); // atomic.fence's zero byte
            return OTHER;
        }
        if (sub > 0x4e) {
            return UNKNOWN;
        }
        memArg(in);
        return OTHER;
    }

    /** Alignment (with the multi-memory flag, a memory index) and offset. */
    private static void memArg(WasmReader in) {
        long align = in.u32();
        if ((align & 0x40) != 0) {
            in.u32();
        }
        s64(in); // offsets are up to 64 bits with memory64
    }

    private static void s64(WasmReader in) {
        for (int i = 0; i < 10; i++) {
            if ((in.u8() & 0x80) == 0) {
                return;
            }
        }
        throw new IllegalArgumentException("LEB128 too long at " + in.pos);
    }

    private static long s33(WasmReader in) {
        long result = 0;
        int shift = 0;
        int b;
        do {
            b = in.u8();
            result |= (long) (b & 0x7f) << shift;
            shift += 7;
        } while ((b & 0x80) != 0 && shift < 35);
        if (shift < 64 && (b & 0x40) != 0) {
            result |= -1L << shift;
        }
        return result;
    }
}
