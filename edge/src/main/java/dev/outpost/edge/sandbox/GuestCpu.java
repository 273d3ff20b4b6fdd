package dev.outpost.edge.sandbox;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Caps the guest runs on the CPU at once ({@code --guest-cpus}; by default as the server's {@code CompilerWatch} sets
 * it: one per core while the JIT compiler works, two once it is idle), apart from
 * {@code --max-guests}, which caps the runs in progress, waiting ones included. A run holds a slot while its code
 * runs and gives it up while it waits in a hostcall: for a backend's response, a body still arriving, a cache entry
 * another request is filling, a sleep, or its next request ({@link #waiting}). A run that waited
 * {@link #PATIENCE_MILLIS} for a slot goes on without one. While guest code is still being compiled, more guests than
 * cores on the CPU leave less to the JIT compiler: Fanout handoffs on 2 cores, six rounds of 2,000 on one server, ramp
 * up twice as fast with 2 runs on the CPU as with 8; once it is compiled, 4 keep both cores busier than 2
 * (docs/benchmarks.md). Thread-safe.
 */
public final class GuestCpu {
    /**
     * The slots the calling thread's run holds, while it holds one: a holder per thread, set and cleared in place (a
     * thread-local set again after a remove allocates an entry, once per request).
     */
    private static final ThreadLocal<Held> HELD = ThreadLocal.withInitial(Held::new);

    private static final class Held {
        GuestCpu cpu;
    }

    private static final Slot NONE = () -> {};

    /**
     * How long a run waits for a slot before it goes on without one: a guest that keeps its slot for long (say one that
     * loops until its time limit) delays the others by this much, not until it ends. Tests raise it
     * ({@code -Doutpost.edge.guestCpuPatienceMillis}) so that a wait that keeps its slot shows.
     */
    static final long PATIENCE_MILLIS = 100;

    static final String PATIENCE_PROPERTY = "outpost.edge.guestCpuPatienceMillis";

    private final Slots slots;
    private volatile int size;
    private final long patienceMillis = Long.getLong(PATIENCE_PROPERTY, PATIENCE_MILLIS);
    /** Made once: the handles {@link #enter} and {@link #waiting} return are the same for every run. */
    private final Slot leave;

    private final Slot back;

    /** {@code slots} runs on the CPU at once; first come, first served. */
    public GuestCpu(int slots) {
        checkedSize(slots);
        this.slots = new Slots(slots);
        this.size = slots;
        this.leave = this::leave;
        this.back = this::back;
    }

    /** A slot held, or given up for a wait: {@link #close} gives it back, or takes it again. */
    @FunctionalInterface
    public interface Slot extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Takes a slot for the calling thread's run, waiting for one at most {@link #PATIENCE_MILLIS}; past that the run
     * goes on without one. A thread that holds one already keeps it.
     */
    public Slot enter() {
        Held held = HELD.get();
        if (held.cpu != null) {
            return NONE;
        }
        if (!take()) {
            return NONE;
        }
        held.cpu = this;
        return leave;
    }

    /** What {@link #enter} returns: gives the slot back, unless the run gave it up for a wait and went on without. */
    private void leave() {
        Held held = HELD.get();
        if (held.cpu == this) {
            held.cpu = null;
            slots.release();
        }
    }

    /** What {@link #waiting} returns: takes a slot again. */
    private void back() {
        if (take()) {
            HELD.get().cpu = this;
        }
    }

    /**
     * Gives up the calling thread's slot until the returned handle is closed, which waits for one again (as
     * {@link #enter} does): around a wait that needs no CPU. Nothing for a thread without a slot (an event loop, a
     * warm-up run, a run that went on without one).
     */
    public static Slot waiting() {
        Held held = HELD.get();
        GuestCpu cpu = held.cpu;
        if (cpu == null) {
            return NONE;
        }
        held.cpu = null;
        cpu.slots.release();
        return cpu.back;
    }

    /**
     * For a wait inside a monitor, in a loop: {@link #giveUp} before each wait gives the calling thread's slot up the
     * first time, and {@link #close}, once the monitor is left, takes one again. So the monitor's other users (an event
     * loop handing data over) never wait for a slot, and a wait that is not needed costs nothing. One per wait.
     */
    public static final class Away implements AutoCloseable {
        private Slot slot;

        public void giveUp() {
            if (slot == null) {
                slot = waiting();
            }
        }

        @Override
        public void close() {
            if (slot != null) {
                Slot given = slot;
                slot = null;
                given.close();
            }
        }
    }

    /** Whether a slot was taken within the patience; an interrupt (a run stopped) ends the wait without one. */
    private boolean take() {
        try {
            return slots.tryAcquire(patienceMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** {@code future}'s value, with the calling thread's slot given up while it is not done yet. */
    public static <T> T await(Future<T> future) throws InterruptedException, ExecutionException {
        if (future.isDone()) {
            return future.get();
        }
        try (Slot away = waiting()) {
            return future.get();
        }
    }

    /** Runs on the CPU now. */
    public int busy() {
        return size - slots.availablePermits();
    }

    /** {@code n} when it is a number of slots ({@code --guest-cpus}) there can be: at least 1. */
    public static int checkedSize(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("--guest-cpus: " + n + " (expected: at least 1)");
        }
        return n;
    }

    /** How many runs may be on the CPU at once now. */
    public int size() {
        return size;
    }

    /**
     * Changes how many runs may be on the CPU at once. More let waiting runs on at once; fewer take effect as runs on
     * the CPU give their slots back (none is stopped).
     */
    public synchronized void resize(int newSize) {
        checkedSize(newSize);
        if (newSize > size) {
            slots.release(newSize - size);
        } else if (newSize < size) {
            slots.reduce(size - newSize);
        }
        size = newSize;
    }

    /** First come, first served; fewer slots may leave fewer than none free until runs give theirs back. */
    private static final class Slots extends Semaphore {
        Slots(int permits) {
            super(permits, true);
        }

        void reduce(int n) {
            reducePermits(n);
        }
    }
}
