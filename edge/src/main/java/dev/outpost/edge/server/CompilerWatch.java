package dev.outpost.edge.server;

import dev.outpost.edge.sandbox.GuestCpu;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default {@code --guest-cpus}: one guest run per core on the CPU while the JIT compiler works, twice that once it
 * is idle. While guest code is still being compiled, the compiler needs its share of the cores (Fanout handoffs ramp
 * up twice as fast with 2 runs on the CPU as with 8, on 2 cores); once it is done, a cap at the cores leaves a core
 * idle whenever an ending run hands its slot to a parked one (hello, 8 clients against 1: 1.55-1.78x with 4 or 8
 * slots, 1.38-1.50x with 2; docs/benchmarks.md). Looks at the Truffle compiler's threads twice a second.
 */
final class CompilerWatch implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CompilerWatch.class);

    static final long PERIOD_MILLIS = 500;
    /** The compiler counts as working when its threads used more than this share of one core since the last look. */
    static final double WORKING_SHARE = 0.10;

    private final GuestCpu cpu;
    private final int whileCompiling;
    private final int whenIdle;
    private final LongSupplier compilerNanos;
    private long lastCompilerNanos = -1;
    private long lastLook;
    /** Looks twice a second; null for a watch that is only told when to look (tests). */
    private volatile ScheduledExecutorService timer;

    CompilerWatch(GuestCpu cpu, int cores, LongSupplier compilerNanos) {
        this.cpu = cpu;
        this.whileCompiling = cores;
        this.whenIdle = 2 * cores;
        this.compilerNanos = compilerNanos;
    }

    /** Follows the Truffle compiler's threads of this JVM. */
    static CompilerWatch start(GuestCpu cpu, int cores) {
        CompilerWatch watch = new CompilerWatch(cpu, cores, new TruffleCompilerTime());
        watch.timer = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("edge-compiler-watch").factory());
        watch.timer.scheduleWithFixedDelay(
                () -> watch.look(System.nanoTime()), PERIOD_MILLIS, PERIOD_MILLIS, TimeUnit.MILLISECONDS);
        return watch;
    }

    /** One look: the compiler's CPU since the last one sets the cap. */
    synchronized void look(long now) {
        try {
            long nanos = compilerNanos.getAsLong();
            if (lastCompilerNanos >= 0 && now > lastLook) {
                boolean working = nanos - lastCompilerNanos > WORKING_SHARE * (now - lastLook);
                int wanted = working ? whileCompiling : whenIdle;
                if (cpu.size() != wanted) {
                    log.debug(
                            "guest runs on the CPU at once: {} (the JIT compiler is {})",
                            wanted,
                            working ? "working" : "idle");
                    cpu.resize(wanted);
                }
            }
            lastCompilerNanos = nanos;
            lastLook = now;
        } catch (RuntimeException e) {
            log.debug("watching the JIT compiler: {}", e.toString());
        }
    }

    @Override
    public void close() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }

    /**
     * The CPU time the Truffle compiler's threads used so far, summed over each thread's growth since the last call (a
     * thread that ended does not take its time back from the sum).
     */
    private static final class TruffleCompilerTime implements LongSupplier {
        private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        private Map<Long, Long> seen = new HashMap<>();
        private long total;

        @Override
        public long getAsLong() {
            Map<Long, Long> now = new HashMap<>();
            for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds(), 0)) {
                if (info != null && info.getThreadName().startsWith("TruffleCompilerThread")) {
                    long cpu = threads.getThreadCpuTime(info.getThreadId());
                    if (cpu >= 0) {
                        now.put(info.getThreadId(), cpu);
                        total += cpu - seen.getOrDefault(info.getThreadId(), 0L);
                    }
                }
            }
            seen = now;
            return total;
        }
    }
}
