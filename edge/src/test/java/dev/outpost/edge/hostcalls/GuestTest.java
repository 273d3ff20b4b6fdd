package dev.outpost.edge.hostcalls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.edge.abi.ByteArrayGuestMemory;
import dev.outpost.edge.abi.FastlyStatus;
import dev.outpost.edge.abi.HostcallException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The multi-value cursor protocol, against plain memory (no engine). */
class GuestTest {
    private static final int BUF = 100;
    private static final int ENDING = 8;
    private static final int NWRITTEN = 16;

    private final ByteArrayGuestMemory memory = new ByteArrayGuestMemory(1024);
    private final List<byte[]> items = List.of(bytes("alpha"), bytes("be"), bytes("gamma"));

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private String written() {
        return new String(memory.read(BUF, memory.readI32(NWRITTEN)), StandardCharsets.UTF_8);
    }

    @Test
    void writesAllItemsNulTerminatedAndEndsWithMinusOne() {
        Guest.multiValue(memory, items, BUF, 64, 0, ENDING, NWRITTEN);
        assertThat(written()).isEqualTo("alpha\0be\0gamma\0");
        assertThat(memory.readI64(ENDING)).isEqualTo(-1);
    }

    @Test
    void stopsAtTheFirstItemThatDoesNotFitAndReturnsItsIndex() {
        Guest.multiValue(memory, items, BUF, 10, 0, ENDING, NWRITTEN);
        assertThat(written()).isEqualTo("alpha\0be\0");
        assertThat(memory.readI64(ENDING)).isEqualTo(2);
        Guest.multiValue(memory, items, BUF, 10, 2, ENDING, NWRITTEN);
        assertThat(written()).isEqualTo("gamma\0");
        assertThat(memory.readI64(ENDING)).isEqualTo(-1);
    }

    @Test
    void failsWithBuflenAndTheNeededSizeWhenNotEvenOneItemFits() {
        assertThatThrownBy(() -> Guest.multiValue(memory, items, BUF, 3, 0, ENDING, NWRITTEN))
                .isInstanceOfSatisfying(
                        HostcallException.class, e -> assertThat(e.status()).isEqualTo(FastlyStatus.BUFLEN));
        assertThat(memory.readI32(NWRITTEN)).isEqualTo(6);
    }

    @Test
    void aCursorPastTheEndWritesNothing() {
        Guest.multiValue(memory, items, BUF, 64, 3, ENDING, NWRITTEN);
        assertThat(memory.readI32(NWRITTEN)).isZero();
        assertThat(memory.readI64(ENDING)).isEqualTo(-1);
    }

    @Test
    void writeOutReportsTheNeededLengthWhenTooSmall() {
        assertThatThrownBy(() -> memory.writeOut(BUF, 2, bytes("hello"), NWRITTEN))
                .isInstanceOfSatisfying(
                        HostcallException.class, e -> assertThat(e.status()).isEqualTo(FastlyStatus.BUFLEN));
        assertThat(memory.readI32(NWRITTEN)).isEqualTo(5);
    }
}
