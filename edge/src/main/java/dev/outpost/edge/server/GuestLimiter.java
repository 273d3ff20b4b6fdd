package dev.outpost.edge.server;

import dev.outpost.edge.sandbox.GuestCpu;
import java.util.ArrayDeque;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Caps the guest runs at once ({@link EdgeLimits#maxGuests()}): a run past the cap waits in a FIFO queue of at most
 * {@link EdgeLimits#guestQueue()}; past that it is refused, and the caller answers {@code 503}. Each run memory-bounds
 * itself ({@code --memory-limit}); this bounds how many there are. Of the runs in progress, at most
 * {@link EdgeLimits#guestCpus()} are on the CPU at once ({@link GuestCpu}; by default as {@link CompilerWatch} sets it).
 * Thread-safe.
 */
final class GuestLimiter {
    private static final Logger log = LoggerFactory.getLogger(EdgeServer.class);
    private static final long REPORT_EVERY_NANOS = 10_000_000_000L;

    private final int maxRunning;
    private final int maxQueued;
    private final ExecutorService executor;
    private final GuestCpu cpu;
    /** Sets {@link #cpu}'s size by default; null with a fixed {@code --guest-cpus}. */
    private final CompilerWatch watch;

    private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
    private int running;
    private final AtomicLong refused = new AtomicLong();
    private long lastReport;
    private long reportedRefusals;

    GuestLimiter(EdgeLimits limits, ExecutorService executor) {
        this.maxRunning = limits.maxGuests();
        this.maxQueued = limits.guestQueue();
        this.executor = executor;
        if (limits.guestCpus() == EdgeLimits.GUEST_CPUS_FOLLOW_COMPILER) {
            int cores = Runtime.getRuntime().availableProcessors();
            this.cpu = new GuestCpu(cores);
            this.watch = CompilerWatch.start(cpu, cores);
        } else {
            this.cpu = new GuestCpu(limits.guestCpus());
            this.watch = null;
        }
    }

    /** Stops following the JIT compiler. */
    void close() {
        if (watch != null) {
            watch.close();
        }
    }

    /** Runs {@code task} now or when a run ends; false (and nothing runs) when the queue is full. */
    boolean submit(Runnable task) {
        synchronized (this) {
            if (running >= maxRunning) {
                if (queue.size() >= maxQueued) {
                    refusedOnce();
                    return false;
                }
                queue.addLast(task);
                return true;
            }
            running++;
        }
        start(task);
        return true;
    }

    private void start(Runnable task) {
        try {
            executor.execute(() -> {
                try (GuestCpu.Slot slot = cpu.enter()) {
                    task.run();
                } finally {
                    next();
                }
            });
        } catch (RuntimeException e) {
            next();
            throw e;
        }
    }

    private void next() {
        Runnable task;
        synchronized (this) {
            task = queue.pollFirst();
            if (task == null) {
                running--;
                return;
            }
        }
        start(task);
    }

    /** True once the server stops: a guest run failing now is the stop cancelling it, not a fault. */
    boolean stopping() {
        return executor.isShutdown();
    }

    /** The message a refused request gets: which limit bit and how to raise it. */
    String refusal() {
        return "Outpost: too many requests at once: " + maxRunning + " guest runs are busy and " + maxQueued
                + " requests are waiting for one. Raise the limits with --max-guests (now " + maxRunning
                + ") or --guest-queue (now " + maxQueued + ").\n";
    }

    /** Logs the first refusal, then at most one line per 10 s with the count since. */
    private void refusedOnce() {
        long n = refused.incrementAndGet();
        long now = System.nanoTime();
        if (n == 1 || now - lastReport > REPORT_EVERY_NANOS) {
            log.warn(
                    "{} request(s) refused with 503: {} guest runs busy, {} waiting (--max-guests, --guest-queue)",
                    n - reportedRefusals,
                    maxRunning,
                    maxQueued);
            lastReport = now;
            reportedRefusals = n;
        }
    }

    synchronized int running() {
        return running;
    }

    int onCpu() {
        return cpu.busy();
    }

    synchronized int queued() {
        return queue.size();
    }

    long refused() {
        return refused.get();
    }
}
