package dev.outpost.edge.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.outpost.edge.abi.GuestTrapException;
import dev.outpost.edge.abi.Hostcall;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Which instances the pool makes, resets, keeps and drops (the engines' own state is FreshStateTest's). */
class InstancePoolTest {
    private static final Hostcall[] NONE = new Hostcall[0];

    /** Blanks that count what happens to them; {@code resettable} says what their reset answers. */
    private static final class Blanks {
        final AtomicInteger made = new AtomicInteger();
        final AtomicInteger resets = new AtomicInteger();
        final AtomicInteger closed = new AtomicInteger();
        final AtomicInteger cancelled = new AtomicInteger();
        volatile boolean resettable = true;
        volatile boolean trap;

        InstancePool.Blank make() {
            made.incrementAndGet();
            return new InstancePool.Blank() {
                @Override
                public WasmInstance bind(Hostcall[] hostcalls) {
                    return new WasmInstance() {
                        @Override
                        public int runStart() {
                            if (trap) {
                                throw new GuestTrapException("wasm trap: unreachable", null);
                            }
                            return 0;
                        }

                        @Override
                        public void cancel() {
                            cancelled.incrementAndGet();
                        }

                        @Override
                        public void close() {
                            closed.incrementAndGet();
                        }
                    };
                }

                @Override
                public boolean reset() {
                    resets.incrementAndGet();
                    return resettable;
                }

                @Override
                public void close() {
                    closed.incrementAndGet();
                }
            };
        }
    }

    private static void serve(InstancePool pool) {
        try (WasmInstance instance = pool.take(NONE)) {
            instance.runStart();
        }
    }

    /** {@code n} requests at once: {@code n} instances taken, then each run and closed. */
    private static void serveAtOnce(InstancePool pool, int n) {
        List<WasmInstance> held = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            held.add(pool.take(NONE));
        }
        for (WasmInstance instance : held) {
            instance.runStart();
            instance.close();
        }
    }

    @Test
    void oneRequestAtATimeIsServedByTheSameFewInstances() {
        Blanks blanks = new Blanks();
        try (InstancePool pool = new InstancePool("test", blanks::make, true)) {
            for (int i = 0; i < 200; i++) {
                serve(pool);
            }
            assertThat(pool.reused()).isGreaterThanOrEqualTo(196);
            assertThat(blanks.made.get()).isLessThanOrEqualTo(4);
            assertThat(pool.inUse()).isZero();
        }
    }

    @Test
    void eightAtATimeKeepTheirInstancesInsteadOfMakingNewOnes() {
        Blanks blanks = new Blanks();
        try (InstancePool pool = new InstancePool("test", blanks::make, true)) {
            for (int round = 0; round < 50; round++) {
                serveAtOnce(pool, 8);
            }
            // 8 in use at once and at most one made ahead: nothing made after the first rounds.
            assertThat(blanks.made.get()).isLessThanOrEqualTo(10);
            assertThat(pool.reused()).isGreaterThanOrEqualTo(50 * 8 - 10);
        }
    }

    @Test
    void anInstanceThatCannotBeResetIsClosed() {
        Blanks blanks = new Blanks();
        blanks.resettable = false;
        try (InstancePool pool = new InstancePool("test", blanks::make, true)) {
            for (int i = 0; i < 20; i++) {
                serve(pool);
            }
            assertThat(pool.reused()).isZero();
            assertThat(blanks.made.get()).isGreaterThanOrEqualTo(20);
            assertThat(blanks.closed.get()).isGreaterThanOrEqualTo(20);
        }
    }

    @Test
    void anInstanceWhoseRunTrappedOrWasCancelledIsNotReset() {
        Blanks blanks = new Blanks();
        try (InstancePool pool = new InstancePool("test", blanks::make, true)) {
            blanks.trap = true;
            try (WasmInstance instance = pool.take(NONE)) {
                assertThatThrownBy(instance::runStart).isInstanceOf(GuestTrapException.class);
            }
            blanks.trap = false;
            try (WasmInstance instance = pool.take(NONE)) {
                instance.cancel();
                instance.runStart();
            }
            pool.take(NONE).close(); // never run
            assertThat(blanks.resets.get()).isZero();
            assertThat(pool.reused()).isZero();
        }
    }

    @Test
    void aCancelAfterTheCloseDoesNotReachTheInstance() {
        Blanks blanks = new Blanks();
        try (InstancePool pool = new InstancePool("test", blanks::make, true)) {
            WasmInstance instance = pool.take(NONE);
            instance.runStart();
            instance.close();
            instance.cancel(); // a time limit firing late: the instance may serve another request by now
            assertThat(blanks.cancelled.get()).isZero();
            assertThat(pool.reused()).isEqualTo(1);
        }
    }

    @Test
    void instancesKeptAfterABurstAreDroppedOnceIdleDownToTheNextOneAndTheOneMadeAhead() {
        Blanks blanks = new Blanks();
        try (InstancePool pool = new InstancePool("test", blanks::make, true, null, Duration.ofMillis(300))) {
            serveAtOnce(pool, 6);
            assertThat(pool.ready()).isGreaterThanOrEqualTo(6);
            await().atMost(Duration.ofSeconds(10)).until(() -> pool.ready() == 2);
            assertThat(pool.droppedIdle()).isGreaterThanOrEqualTo(4);
            assertThat(blanks.closed.get()).isEqualTo(blanks.made.get() - 2);
            // the ones left serve, and none is made for it
            int made = blanks.made.get();
            serve(pool);
            assertThat(pool.reused()).isGreaterThanOrEqualTo(7);
            assertThat(blanks.made.get()).isEqualTo(made);
        }
    }

    @Test
    void anInstanceInSteadyUseIsNotDroppedAsIdle() {
        Blanks blanks = new Blanks();
        try (InstancePool pool = new InstancePool("test", blanks::make, true, null, Duration.ofMillis(300))) {
            // a few at once, then one at a time for longer than the idle time: the one taken is always the last
            // put back, so it never counts as idle; the others go, down to the one kept ahead, which is not made
            // again and again
            serveAtOnce(pool, 3);
            long end = System.nanoTime() + Duration.ofSeconds(2).toNanos();
            while (System.nanoTime() < end) {
                serve(pool);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> pool.ready() <= 2);
            int made = blanks.made.get();
            for (int i = 0; i < 100; i++) {
                serve(pool);
            }
            assertThat(blanks.made.get()).isEqualTo(made);
        }
    }
}
