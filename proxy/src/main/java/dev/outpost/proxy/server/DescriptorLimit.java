package dev.outpost.proxy.server;

import com.sun.management.UnixOperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;

/**
 * How many client connections the process's file descriptor limit ({@code ulimit -n}) leaves room for, so that
 * {@code client_maxconn} can never let the listeners run out of descriptors: past the limit the kernel refuses
 * {@code accept} and both ports stop answering, where the proxy itself would close the extra connection at once.
 */
public final class DescriptorLimit {
    /** Descriptors kept aside for listeners, event loops, the JVM's own files, publishers and the inspector. */
    static final int RESERVE_MIN = 64;

    private DescriptorLimit() {}

    /** The process's descriptor limit, or -1 when the platform does not say. */
    public static long processLimit() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof UnixOperatingSystemMXBean unix) {
            long n = unix.getMaxFileDescriptorCount();
            return n > 0 ? n : -1;
        }
        return -1;
    }

    /**
     * The most client connections {@code fdLimit} descriptors allow: one descriptor each, with {@value #RESERVE_MIN}
     * plus a hundredth of the limit left for everything else: listeners, the origin pool (at most {@code MAX_IDLE}
     * idle per loop and origin), requests in flight to an origin and the JVM's own files. A held stream or long-poll
     * keeps no origin connection (it went back to the pool once the hold began), so counting a second descriptor
     * for every client held back half of the limit (8,968 of 20,000) from the held connections a proxy is for.
     * When in-flight origin requests do use up the reserve, a further one fails with a 502 and the listener pauses
     * accepting for a moment; neither stops the proxy. At least 1; {@code fdLimit} -1 (unknown) allows anything.
     */
    public static int allowedConnections(long fdLimit) {
        if (fdLimit < 0) {
            return Integer.MAX_VALUE;
        }
        long reserve = RESERVE_MIN + fdLimit / 100;
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, fdLimit - reserve));
    }
}
