package dev.outpost.proxy.observe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.proxy.OutpostProxy;
import dev.outpost.proxy.support.LeakGuard;
import dev.outpost.proxy.support.ProxyHarness;
import dev.outpost.proxy.support.RawHttp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The inspector answers only its own names, against DNS rebinding (issue 16, item 7). */
@ExtendWith(LeakGuard.class)
@Timeout(60)
class HostGuardTest {

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "localhost:7998|127.0.0.1|true",
                "LOCALHOST|127.0.0.1|true",
                "inspector.localhost:7998|127.0.0.1|true",
                "127.0.0.1:7998|127.0.0.1|true",
                "127.1.2.3|127.0.0.1|true",
                "[::1]:7998|127.0.0.1|true",
                "evil.example:7998|127.0.0.1|false",
                "evil.example.|127.0.0.1|false",
                "localhost.evil.example|127.0.0.1|false",
                "10.0.0.5:7998|127.0.0.1|false",
                "10.0.0.5:7998|10.0.0.5|true",
                "10.0.0.5:7998|0.0.0.0|true",
                "box.internal:7998|0.0.0.0|false",
                "box.internal:7998|box.internal|true",
                "[fe80::1]:7998|::|true",
                "''|127.0.0.1|true"
            })
    void allowedHosts(String host, String bind, boolean allowed) {
        assertThat(HostGuard.allowed(host, bind)).isEqualTo(allowed);
    }

    @Test
    void aRequestForAnotherNameIsRefused() throws Exception {
        try (OutpostProxy p = ProxyHarness.start(null, b -> b.setting("outpost/inspector_port", "0"))) {
            int port = p.inspectorAddress().getPort();
            try (RawHttp c = new RawHttp(port)) {
                RawHttp.Response r = c.send("GET /api/summary HTTP/1.1\r\nHost: rebound.example:" + port + "\r\n\r\n")
                        .read();
                assertThat(r.status()).isEqualTo(403);
                assertThat(r.text()).contains("DNS rebinding", "http://127.0.0.1:" + port + "/");
            }
            for (String host : new String[] {"localhost:" + port, "127.0.0.1:" + port}) {
                try (RawHttp c = new RawHttp(port)) {
                    assertThat(c.send("GET /metrics HTTP/1.1\r\nHost: " + host + "\r\n\r\n")
                                    .read()
                                    .status())
                            .isEqualTo(200);
                }
            }
        }
    }
}
