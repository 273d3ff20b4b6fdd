package dev.outpost.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FreePortsTest {
    @Test
    void portsAreFreeNeverGivenTwiceAndOutOfTheKernelsOwnRange() throws Exception {
        int ephemeral = Integer.parseInt(Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range"))
                .get(0)
                .trim()
                .split("\\s+")[0]);
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 300; i++) {
            int port = FreePorts.port();
            assertThat(seen.add(port)).as("port %d given twice", port).isTrue();
            assertThat(port).isLessThan(ephemeral);
        }
        // What the kernel picks for port 0 is never one of them.
        for (int i = 0; i < 300; i++) {
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                assertThat(seen).doesNotContain(s.getLocalPort());
            }
        }
    }

    @Test
    void aRangeIsConsecutiveAndFree() throws Exception {
        int base = FreePorts.range(4);
        for (int i = 0; i < 4; i++) {
            try (ServerSocket s = new ServerSocket(base + i, 1, InetAddress.getLoopbackAddress())) {
                assertThat(s.getLocalPort()).isEqualTo(base + i);
            }
        }
    }
}
