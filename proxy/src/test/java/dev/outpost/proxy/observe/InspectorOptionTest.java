package dev.outpost.proxy.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.proxy.config.ProxyConfig;
import org.junit.jupiter.api.Test;

/** {@code --inspector-port} as {@code outpost proxy} and {@code outpost serve} read it. */
class InspectorOptionTest {
    @Test
    void valuesAsTyped() {
        assertThat(InspectorOption.parse(null)).isEqualTo(new InspectorOption(null, 7998, false));
        assertThat(InspectorOption.parse("0")).isEqualTo(new InspectorOption(null, 0, true));
        assertThat(InspectorOption.parse(" OFF ").off()).isTrue();
        assertThat(InspectorOption.parse("0.0.0.0:9000")).isEqualTo(new InspectorOption("0.0.0.0", 9000, true));
        assertThat(InspectorOption.parse("[::1]:9000")).isEqualTo(new InspectorOption("::1", 9000, true));
        for (String bad : new String[] {"", "abc", "65536", "-1", ":1", "h:", "[]:1"}) {
            assertThatThrownBy(() -> InspectorOption.parse(bad))
                    .hasMessage("--inspector-port: '" + bad + "' (expected: PORT or ADDR:PORT, PORT 0-65535, or off)");
        }
    }

    @Test
    void theDefaultLeavesPrometheusPortInCharge() {
        ProxyConfig.Builder b = ProxyConfig.builder().setting("proxy/prometheus_port", "9100");
        InspectorOption.parse(null).applyTo(b);
        assertThat(InspectorSettings.port(b.build())).isEqualTo(9100);
        ProxyConfig.Builder plain = ProxyConfig.builder();
        InspectorOption.parse(null).applyTo(plain);
        assertThat(InspectorSettings.port(plain.build())).isEqualTo(7998);
        ProxyConfig.Builder off = ProxyConfig.builder().setting("proxy/prometheus_port", "9100");
        InspectorOption.parse("off").applyTo(off);
        assertThat(InspectorSettings.port(off.build())).isNull();
        ProxyConfig.Builder addr = ProxyConfig.builder();
        InspectorOption.parse("127.0.0.2:0").applyTo(addr);
        assertThat(InspectorSettings.port(addr.build())).isZero();
        assertThat(InspectorSettings.host(addr.build())).isEqualTo("127.0.0.2");
    }
}
