package dev.outpost.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free loopback ports, for what must be told its port before it binds (a {@code fastly.toml}, a ZeroMQ spec, a
 * process's flags). Whatever can bind port 0 itself should: a port found here may be taken again before it is used.
 *
 * <p>Ports come from below the kernel's ephemeral range ({@code net.ipv4.ip_local_port_range}), from which it picks a
 * port for every bind to port 0 and every outgoing connection: a port found there and let go could be handed straight
 * to another listener of the same test (a proxy's publish port took the ZeroMQ port its test had just chosen). None is
 * given twice in one JVM.
 */
public final class FreePorts {
    private FreePorts() {}

    /** Where ports are looked for: from here up to the ephemeral range. */
    private static final int LOWEST = 15000;

    private static final int EPHEMERAL_START = ephemeralStart();
    private static final Set<Integer> GIVEN = ConcurrentHashMap.newKeySet();

    /** A port that was free on 127.0.0.1 a moment ago. */
    public static int port() {
        return range(1);
    }

    /** The first of {@code n} consecutive free ports (Pushpin takes its publish port and the next three). */
    public static int range(int n) {
        int low = LOWEST;
        int top = EPHEMERAL_START - n;
        if (top - low < 1000) {
            // An ephemeral range that starts low leaves no room below it: any unprivileged port, as before.
            low = 20000;
            top = 65536 - n;
        }
        for (int attempt = 0; attempt < 500; attempt++) {
            int base = ThreadLocalRandom.current().nextInt(low, top);
            if (allFree(base, n) && claim(base, n)) {
                return base;
            }
        }
        throw new IllegalStateException("no " + n + " consecutive free loopback ports after 500 tries");
    }

    private static boolean claim(int base, int n) {
        for (int i = 0; i < n; i++) {
            if (!GIVEN.add(base + i)) {
                for (int j = 0; j < i; j++) {
                    GIVEN.remove(base + j);
                }
                return false;
            }
        }
        return true;
    }

    private static boolean allFree(int base, int n) {
        for (int i = 0; i < n; i++) {
            try (ServerSocket s = new ServerSocket(base + i, 1, InetAddress.getLoopbackAddress())) {
                // free
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }

    /**
     * The first port of the kernel's ephemeral range; Linux's default where it cannot be read. (Read by lines:
     * {@code Files.readString} gets only the first byte of this proc file.)
     */
    private static int ephemeralStart() {
        try {
            String range = Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range"))
                    .get(0)
                    .trim();
            return Integer.parseInt(range.split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return 32768;
        }
    }
}
