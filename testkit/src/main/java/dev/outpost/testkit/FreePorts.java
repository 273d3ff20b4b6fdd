package dev.outpost.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free loopback ports, for what must be told its port before it binds (a {@code fastly.toml}, a ZeroMQ spec, a
 * process's flags). Whatever can bind port 0 itself should: a port found here may be taken again before it is used.
 */
public final class FreePorts {
    private FreePorts() {}

    /** A port that was free on 127.0.0.1 a moment ago. */
    public static int port() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        }
    }

    /** The first of {@code n} consecutive free ports (Pushpin takes its publish port and the next three). */
    public static int range(int n) {
        for (int attempt = 0; attempt < 200; attempt++) {
            int base = ThreadLocalRandom.current().nextInt(20000, 60000);
            if (allFree(base, n)) {
                return base;
            }
        }
        throw new IllegalStateException("no " + n + " consecutive free loopback ports after 200 tries");
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
}
