package dev.outpost.edge.hostcalls;

import dev.outpost.edge.sandbox.Sandbox;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/** {@code fastly_compute_runtime}: CPU time of the guest thread, and a heap figure. */
final class ComputeRuntimeHostcalls {
    private static final String M = "fastly_compute_runtime";
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final long startCpuNanos;

    ComputeRuntimeHostcalls(Sandbox sandbox) {
        this.startCpuNanos = cpuNanos();
    }

    private static long cpuNanos() {
        return THREADS.isCurrentThreadCpuTimeSupported() ? THREADS.getCurrentThreadCpuTime() : System.nanoTime();
    }

    void register(HostcallTable t) {
        t.fastly(M, "get_vcpu_ms", (m, a) -> m.writeI64(a.i32(0), (cpuNanos() - startCpuNanos) / 1_000_000));
        // The guest's linear memory, in whole MiB: what a Compute program's heap lives in.
        t.fastly(M, "get_heap_mib", (m, a) -> m.writeI32(a.i32(0), (int) (m.size() >> 20)));
    }
}
