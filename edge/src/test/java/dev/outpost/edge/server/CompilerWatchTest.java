package dev.outpost.edge.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.edge.sandbox.GuestCpu;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The default cap on guest runs on the CPU follows the JIT compiler: the cores while it works, twice that idle. */
class CompilerWatchTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void theCapIsTheCoresWhileTheCompilerWorksAndTwiceThatWhenItIsIdle() {
        GuestCpu cpu = new GuestCpu(2);
        AtomicLong compiler = new AtomicLong();
        try (CompilerWatch watch = new CompilerWatch(cpu, 2, compiler::get)) {
            watch.look(0);
            assertThat(cpu.size()).as("nothing known after one look").isEqualTo(2);

            watch.look(SECOND); // the compiler used nothing
            assertThat(cpu.size()).isEqualTo(4);

            compiler.addAndGet(SECOND / 2); // half a core
            watch.look(2 * SECOND);
            assertThat(cpu.size()).isEqualTo(2);

            compiler.addAndGet(SECOND / 20); // 5 % of a core: idle enough
            watch.look(3 * SECOND);
            assertThat(cpu.size()).isEqualTo(4);
        }
    }

    @Test
    void theTruffleCompilerThreadsOfThisJvmAreFollowed() {
        GuestCpu cpu = new GuestCpu(1);
        try (CompilerWatch watch = CompilerWatch.start(cpu, 1)) {
            // No compiler threads in a unit test's JVM: the compiler is idle.
            watch.look(System.nanoTime());
            watch.look(System.nanoTime() + SECOND);
            assertThat(cpu.size()).isEqualTo(2);
        }
    }
}
