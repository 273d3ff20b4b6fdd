package dev.outpost.edge.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Resets that copy back only the pages the kernel saw written, on a native buffer standing in for a linear memory. */
class WrittenPagesTest {
    private static final int PAGE = 4096;

    @BeforeAll
    static void kernelTracksWrites() {
        String[] version = System.getProperty("os.version").split("[.-]");
        boolean recentLinux = "Linux".equals(System.getProperty("os.name"))
                && Integer.parseInt(version[0]) * 100 + Integer.parseInt(version[1]) >= 607
                && Runtime.version().feature() >= 22;
        assumeTrue(recentLinux, "write tracking needs Linux 6.7 or later and JDK 22 or later");
        assertThat(WrittenPages.unavailable()).as("why writes are not tracked").isNull();
    }

    /** A buffer of whole pages plus a few bytes, so that (allocated at a malloc'd address) it has partial pages too. */
    private static ByteBuffer memory(int pages) {
        ByteBuffer memory = ForeignCalls.buffer(pages * PAGE + 100);
        for (int i = 0; i < memory.capacity(); i++) {
            memory.put(i, initial(i));
        }
        return memory;
    }

    /** A memory of {@code pages} pages and some, its image, and its writes tracked until closed. */
    private record Tracked(ByteBuffer memory, long address, WrittenPages.Image image, WrittenPages pages)
            implements AutoCloseable {
        static Tracked of(int pages) {
            ByteBuffer memory = WrittenPagesTest.memory(pages);
            long address = ForeignCalls.addressOf(memory);
            WrittenPages.Image image = WrittenPages.Image.copyOf(address, memory.capacity());
            WrittenPages tracked = WrittenPages.track(address, memory.capacity());
            assertThat(tracked).isNotNull();
            return new Tracked(memory, address, image, tracked);
        }

        boolean restore() {
            return pages.restore(image);
        }

        @Override
        public void close() {
            pages.close();
        }
    }

    private static byte initial(int index) {
        return (byte) (index * 31 + 7);
    }

    private static void assertInitial(ByteBuffer memory) {
        for (int i = 0; i < memory.capacity(); i++) {
            if (memory.get(i) != initial(i)) {
                assertThat(memory.get(i)).as("byte %d", i).isEqualTo(initial(i));
            }
        }
    }

    @Test
    void everyWriteIsUndoneAcrossManyResetsAndProtections() {
        try (Tracked tracked = Tracked.of(64)) {
            ByteBuffer memory = tracked.memory();
            Random random = new Random(42);
            for (int round = 0; round < 5 * WrittenPages.PROTECT_EVERY; round++) {
                // Some pages every round (as a stack), some now and then, and the partial pages at the ends.
                memory.put(PAGE * 3 + round, (byte) 0);
                for (int i = 0; i < 1 + random.nextInt(20); i++) {
                    memory.put(random.nextInt(memory.capacity()), (byte) ~round);
                }
                memory.put(0, (byte) 1);
                memory.put(memory.capacity() - 1, (byte) 1);
                assertThat(tracked.restore()).isTrue();
                assertInitial(memory);
            }
        }
    }

    @Test
    void onlyWrittenPagesAreReportedAndProtectionComesBack() {
        try (Tracked tracked = Tracked.of(16)) {
            WrittenPages pages = tracked.pages();
            long firstWhole = (tracked.address() + PAGE - 1) & -PAGE;
            assertThat(pages.written()).isEmpty();
            tracked.memory().put((int) (firstWhole - tracked.address()) + 5 * PAGE + 1, (byte) 0);
            assertThat(pages.written()).containsExactly(firstWhole + 5 * PAGE, firstWhole + 6 * PAGE);
            // Written pages stay unprotected (copied at each reset) until every PROTECT_EVERY-th reset protects them.
            for (int i = 1; i < WrittenPages.PROTECT_EVERY; i++) {
                assertThat(tracked.restore()).isTrue();
                assertThat(pages.written()).hasSize(2);
            }
            assertThat(tracked.restore()).isTrue();
            assertThat(pages.written()).isEmpty();
            assertInitial(tracked.memory());
        }
    }

    @Test
    void aRangeNoLongerTrackedFailsTheResetInsteadOfSkippingWrites() {
        Tracked tracked = Tracked.of(8);
        ByteBuffer memory = tracked.memory();
        tracked.close();
        memory.put(PAGE * 2, (byte) 0);
        assertThat(tracked.restore()).isFalse();

        // The same range can be tracked again, by another memory that got it (tracked from its initial state on).
        memory.put(PAGE * 2, initial(PAGE * 2));
        WrittenPages again = WrittenPages.track(tracked.address(), memory.capacity());
        assertThat(again).isNotNull();
        try {
            memory.put(PAGE * 4, (byte) 0);
            assertThat(again.restore(tracked.image())).isTrue();
            assertInitial(memory);
        } finally {
            again.close();
        }
    }
}
