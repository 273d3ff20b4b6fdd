package dev.outpost.edge.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasm.Parser;
import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.Test;

class DataSegmentsTest {
    /** A module with one page of memory (exported), the given data section and, if {@code dataCount}, its count. */
    private static byte[] module(byte[][] segments, int[] offsets, boolean dataCount) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {0, 'a', 's', 'm', 1, 0, 0, 0});
        section(out, 5, new byte[] {1, 0, 1}); // memory: min 1 page
        section(out, 7, new byte[] {1, 6, 'm', 'e', 'm', 'o', 'r', 'y', 2, 0}); // export "memory"
        if (dataCount) {
            section(out, 12, new byte[] {(byte) segments.length});
        }
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        data.write(segments.length);
        for (int i = 0; i < segments.length; i++) {
            data.write(0);
            data.write(0x41);
            int v = offsets[i];
            while (true) { // signed LEB128
                int b = v & 0x7f;
                v >>= 7;
                boolean done = v == 0 && (b & 0x40) == 0;
                data.write(done ? b : b | 0x80);
                if (done) {
                    break;
                }
            }
            data.write(0x0b);
            data.write(segments[i].length);
            data.writeBytes(segments[i]);
        }
        section(out, 11, data.toByteArray());
        return out.toByteArray();
    }

    private static void section(ByteArrayOutputStream out, int id, byte[] body) {
        out.write(id);
        out.write(body.length); // short sections only
        out.writeBytes(body);
    }

    private static byte[] memory(byte[] wasm) {
        Instance instance = Instance.builder(Parser.parse(wasm)).build();
        return instance.memory().readBytes(0, 65536);
    }

    @Test
    void mergesSegmentsAcrossShortGapsAndKeepsTheInitialMemory() {
        byte[] original = module(new byte[][] {{1, 2}, {3, 4, 5}, {6}, {7, 8}}, new int[] {100, 20, 105, 30000}, true);
        byte[] merged = DataSegments.coalesce(original, 16);

        assertThat(merged).isNotSameAs(original);
        assertThat(memory(merged)).isEqualTo(memory(original));
        // 20..23, then 100..102 and 105 (gap 3) as one, then 30000: three segments left of four.
        assertThat(segmentCount(merged)).isEqualTo(3);
        assertThat(dataCount(merged)).isEqualTo(3);
        assertThat(segmentCount(DataSegments.coalesce(original, 100))).isEqualTo(2);
    }

    @Test
    void leavesModulesItCannotImproveOrHandle() {
        byte[] single = module(new byte[][] {{1}}, new int[] {0}, false);
        assertThat(DataSegments.coalesce(single, 4096)).isSameAs(single);

        byte[] overlapping = module(new byte[][] {{1, 2, 3}, {9}}, new int[] {10, 11}, false);
        assertThat(DataSegments.coalesce(overlapping, 4096)).isSameAs(overlapping);

        byte[] farApart = module(new byte[][] {{1}, {2}}, new int[] {0, 60000}, false);
        assertThat(DataSegments.coalesce(farApart, 16)).isSameAs(farApart);

        byte[] garbage = {0, 'a', 's', 'm', 1, 0, 0, 0, 11, 5, 1, 0};
        assertThat(DataSegments.coalesce(garbage, 16)).isSameAs(garbage);

        // A data section declared far larger than the file, whose segments claim as much: nothing is allocated for it.
        byte[] pastTheEnd = {
            0,
            'a',
            's',
            'm',
            1,
            0,
            0,
            0,
            11,
            (byte) 0xf0,
            (byte) 0xff,
            (byte) 0xff,
            (byte) 0x7f,
            2,
            0,
            0x41,
            0,
            0x0b,
            (byte) 0xf0,
            (byte) 0xff,
            (byte) 0xff,
            (byte) 0x3f,
            0,
            0x41,
            1,
            0x0b,
            1,
            9
        };
        assertThat(DataSegments.coalesce(pastTheEnd, 16)).isSameAs(pastTheEnd);
        assertThat(ModuleSplit.split(pastTheEnd)).isNull();
    }

    private static int segmentCount(byte[] wasm) {
        return Parser.parse(wasm).dataSection().dataSegmentCount();
    }

    private static int dataCount(byte[] wasm) {
        return Parser.parse(wasm).dataCountSection().map(s -> s.dataCount()).orElse(-1);
    }
}
