package dev.outpost.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.proxy.OutpostProxy;
import dev.outpost.proxy.server.DescriptorLimit;
import dev.outpost.proxy.support.ProxyHarness;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The {@code [outpost]} limits: safe defaults, checked values, and {@code client_maxconn} within the fd limit. */
class ProxyLimitsTest {
    private static final Path FILE = Path.of("/srv/app/pushpin.conf");

    @Test
    void defaultsAreSafeAndNoLongerThanNginxs() {
        ProxyLimits d = ProxyLimits.DEFAULTS;
        for (Duration t : List.of(
                d.clientHeaderTimeout(),
                d.clientKeepAliveTimeout(),
                d.clientBodyTimeout(),
                d.originResponseTimeout())) {
            assertThat(t).isPositive().isLessThanOrEqualTo(Duration.ofSeconds(60));
        }
        assertThat(d.streamQueueMax()).isEqualTo(100);
        assertThat(d.websocketQueueMax()).isEqualTo(4L * 1024 * 1024);
        assertThat(d.websocketOverHttpQueueMax()).isEqualTo(200_000);
    }

    @Test
    void theOutpostSectionSetsThem() throws Exception {
        List<String> warnings = new ArrayList<>();
        ProxyConfig c = PushpinConf.parse("""
                        [runner]
                        http_port=7999
                        [outpost]
                        client_header_timeout=5
                        client_keepalive_timeout=0
                        origin_response_timeout = 120
                        stream_queue_max=10
                        websocket_over_http_queue_max=65536
                        """, FILE, warnings::add).build();
        ProxyLimits l = ProxyLimits.of(c);
        assertThat(l.clientHeaderTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(l.clientKeepAliveTimeout()).isZero();
        assertThat(l.originResponseTimeout()).isEqualTo(Duration.ofSeconds(120));
        assertThat(l.clientBodyTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(l.streamQueueMax()).isEqualTo(10);
        assertThat(l.websocketOverHttpQueueMax()).isEqualTo(65536);
        assertThat(warnings).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "client_header_timeout|abc|seconds, integer 0-86400 (0: no timeout)",
                "client_body_timeout|-1|seconds, integer 0-86400 (0: no timeout)",
                "origin_response_timeout|100000|seconds, integer 0-86400 (0: no timeout)",
                "stream_queue_max|0|integer 1-1000000",
                "websocket_queue_max|10|bytes, integer >= 1024"
            })
    void aBadValueNamesFileLineKeyAndExpectation(String key, String value, String expected) {
        assertThatThrownBy(() -> PushpinConf.parse("[outpost]\n" + key + "=" + value + "\n", FILE, w -> {}))
                .isInstanceOf(ConfigException.class)
                .hasMessage(FILE + ":2: [outpost] " + key + ": " + value + " (expected: " + expected + ")");
        assertThatThrownBy(() -> ProxyLimits.from(Map.of("outpost/" + key, value)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("[outpost] " + key + ": " + value + " (expected: " + expected + ")");
    }

    @Test
    void anUnknownOutpostKeyIsReportedWithTheKnownOnes() throws Exception {
        List<String> warnings = new ArrayList<>();
        PushpinConf.parse("[outpost]\nclient_idle_timeout=5\n", FILE, warnings::add);
        assertThat(warnings)
                .singleElement()
                .asString()
                .contains("client_idle_timeout: unknown key", "client_header_timeout");
    }

    @Test
    void connectionsFitTheDescriptorLimit() {
        // all but a reserve for listeners, publishers and the origin connections of requests in flight
        assertThat(DescriptorLimit.allowedConnections(256)).isEqualTo(190);
        assertThat(DescriptorLimit.allowedConnections(20_000)).isEqualTo(19_736);
        assertThat(DescriptorLimit.allowedConnections(1_048_576)).isEqualTo(1_038_027);
        assertThat(DescriptorLimit.allowedConnections(50)).isEqualTo(1);
        assertThat(DescriptorLimit.allowedConnections(-1)).isEqualTo(Integer.MAX_VALUE);
    }

    @Test
    void clientMaxconnIsNeverAboveWhatTheProcessAllows() throws Exception {
        long fds = DescriptorLimit.processLimit();
        try (OutpostProxy p = ProxyHarness.start(null, b -> b.clientMaxConn(Integer.MAX_VALUE))) {
            if (fds > 0) {
                assertThat(p.clientMaxConn()).isEqualTo(DescriptorLimit.allowedConnections(fds));
                assertThat((long) p.clientMaxConn()).isLessThan(fds);
            }
        }
        try (OutpostProxy p = ProxyHarness.start(null, b -> b.clientMaxConn(10))) {
            assertThat(p.clientMaxConn()).isEqualTo(10);
        }
    }

    @Test
    void aBadLimitStopsTheStartWithTheKeyNamed() {
        assertThatThrownBy(() -> ProxyHarness.start(null, b -> b.setting("outpost/client_body_timeout", "soon")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[outpost] client_body_timeout: soon");
    }
}
