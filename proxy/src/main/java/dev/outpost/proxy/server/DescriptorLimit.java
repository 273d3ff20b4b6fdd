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
     * The most client connections {@code fdLimit} descriptors allow: all but {@value #RESERVE_MIN} plus a hundredth
     * of the limit, which stay free for listeners, publishers and the origin connections of requests in flight. A held
     * connection (the bulk of a busy proxy) keeps no origin connection, so halving the limit for a second descriptor
     * per client would turn away half of what the process can hold (Pushpin holds 19,700 under {@code ulimit -n}
     * 20,000). When requests in flight do use up the reserve, an origin connect fails and that request is answered
     * 502, while held connections and the listeners go on. At least 1; {@code fdLimit} -1 (unknown) allows anything.
     */
    public static int allowedConnections(long fdLimit) {
        if (fdLimit < 0) {
            return Integer.MAX_VALUE;
        }
        long reserve = RESERVE_MIN + fdLimit / 100;
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, fdLimit - reserve));
    }
}
