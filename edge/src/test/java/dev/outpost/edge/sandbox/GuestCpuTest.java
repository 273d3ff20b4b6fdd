package dev.outpost.edge.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class GuestCpuTest {
    @Test
    void aRunWaitsForASlotAndGetsOneWhenTheHolderWaitsInAHostcall() throws Exception {
        GuestCpu cpu = new GuestCpu(1);
        CompletableFuture<String> backend = new CompletableFuture<>();
        CountDownLatch secondRan = new CountDownLatch(1);
        CountDownLatch firstEntered = new CountDownLatch(1);
        CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> {
            try (GuestCpu.Slot slot = cpu.enter()) {
                firstEntered.countDown();
                return GuestCpu.await(backend);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(firstEntered.await(10, TimeUnit.SECONDS)).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> cpu.busy() == 0);
        assertThat(first).isNotDone();
        // The first run waits for its backend without a slot: the second one gets it.
        Thread second = Thread.ofPlatform().start(() -> {
            try (GuestCpu.Slot slot = cpu.enter()) {
                assertThat(cpu.busy()).isEqualTo(1);
                secondRan.countDown();
            }
        });
        assertThat(secondRan.await(10, TimeUnit.SECONDS)).isTrue();
        second.join();
        backend.complete("response");
        assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("response");
        assertThat(cpu.busy()).isZero();
    }

    @Test
    void aRunThatWaitedPastThePatienceGoesOnWithoutASlot() throws Exception {
        GuestCpu cpu = new GuestCpu(1);
        try (GuestCpu.Slot spinning = cpu.enter()) {
            // Another thread: the holder's own thread keeps its slot.
            CompletableFuture<Integer> late = CompletableFuture.supplyAsync(() -> {
                try (GuestCpu.Slot none = cpu.enter()) {
                    // Without a slot, giving it up is nothing, and so is taking it back.
                    try (GuestCpu.Slot away = GuestCpu.waiting()) {
                        return cpu.busy();
                    }
                }
            });
            assertThat(late.get(10, TimeUnit.SECONDS)).isEqualTo(1);
            assertThat(cpu.busy()).isEqualTo(1);
        }
        assertThat(cpu.busy()).isZero();
    }

    @Test
    void aRunThatCouldNotTakeItsSlotBackAfterAWaitGivesNothingBackAtItsEnd() throws Exception {
        GuestCpu cpu = new GuestCpu(1);
        CountDownLatch taken = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (GuestCpu.Slot slot = cpu.enter()) {
            try (GuestCpu.Slot away = GuestCpu.waiting()) {
                // Meanwhile another run takes the slot and keeps it past this one's patience.
                Thread.ofPlatform().start(() -> {
                    try (GuestCpu.Slot other = cpu.enter()) {
                        taken.countDown();
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                assertThat(taken.await(10, TimeUnit.SECONDS)).isTrue();
            }
            assertThat(cpu.busy()).as("the other run's slot only").isEqualTo(1);
        }
        assertThat(cpu.busy()).isEqualTo(1);
        release.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> cpu.busy() == 0);
        // Still one slot, not two: a second run waits while the first holds it.
        try (GuestCpu.Slot first = cpu.enter()) {
            CompletableFuture<Integer> second = CompletableFuture.supplyAsync(() -> {
                try (GuestCpu.Slot none = cpu.enter()) {
                    return cpu.busy();
                }
            });
            assertThat(second.get(10, TimeUnit.SECONDS))
                    .as("went on without a slot")
                    .isEqualTo(1);
        }
        assertThat(cpu.busy()).isZero();
    }

    @Test
    void awayGivesTheSlotUpOnceAndOnlyWhenAWaitComes() {
        GuestCpu cpu = new GuestCpu(2);
        try (GuestCpu.Slot slot = cpu.enter()) {
            try (GuestCpu.Away away = new GuestCpu.Away()) {
                assertThat(cpu.busy()).as("no wait yet").isEqualTo(1);
                away.giveUp();
                away.giveUp();
                assertThat(cpu.busy()).isZero();
            }
            assertThat(cpu.busy()).as("taken again").isEqualTo(1);
        }
        assertThat(cpu.busy()).isZero();
    }

    @Test
    void aThreadWithoutARunGivesNothingUp() throws Exception {
        GuestCpu cpu = new GuestCpu(2);
        try (GuestCpu.Slot away = GuestCpu.waiting()) {
            assertThat(cpu.busy()).isZero();
        }
        assertThat(GuestCpu.await(CompletableFuture.completedFuture("done"))).isEqualTo("done");
        try (GuestCpu.Slot slot = cpu.enter();
                GuestCpu.Slot again = cpu.enter()) {
            assertThat(cpu.busy()).as("a thread holds one slot at most").isEqualTo(1);
        }
        assertThat(cpu.busy()).isZero();
    }

    @Test
    void noSlotsIsRefusedNamingTheOption() {
        assertThatThrownBy(() -> new GuestCpu(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--guest-cpus: 0 (expected: at least 1)");
    }

    /** How many runs are on the CPU as seen from inside a new run on another thread. */
    private static int busyInsideAnotherRun(GuestCpu cpu) throws Exception {
        return CompletableFuture.supplyAsync(() -> {
                    try (GuestCpu.Slot slot = cpu.enter()) {
                        return cpu.busy();
                    }
                })
                .get(10, TimeUnit.SECONDS);
    }

    @Test
    void moreSlotsLetMoreRunsOnAndFewerApplyAsRunsGiveTheirsBack() throws Exception {
        GuestCpu cpu = new GuestCpu(1);
        try (GuestCpu.Slot mine = cpu.enter()) {
            cpu.resize(2);
            assertThat(cpu.size()).isEqualTo(2);
            assertThat(busyInsideAnotherRun(cpu))
                    .as("a second run gets the new slot")
                    .isEqualTo(2);

            CountDownLatch holding = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            CompletableFuture<Void> other = CompletableFuture.runAsync(() -> {
                try (GuestCpu.Slot slot = cpu.enter()) {
                    holding.countDown();
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();
            cpu.resize(1);
            assertThat(cpu.busy()).as("no run is stopped").isEqualTo(2);
            release.countDown();
            other.get(10, TimeUnit.SECONDS);
            assertThat(cpu.busy()).isEqualTo(1);
            // One slot, held: a new run waits its patience and goes on without one.
            assertThat(busyInsideAnotherRun(cpu)).isEqualTo(1);
        }
        assertThat(cpu.busy()).isZero();
        assertThatThrownBy(() -> cpu.resize(0)).hasMessage("--guest-cpus: 0 (expected: at least 1)");
    }
}
