package dev.outpost.origin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.Test;

/** Address order, option checks, and the TLS context cache: pure values, no sockets. */
class ConnectOptionsTest {

    private static InetSocketAddress at(String ip) throws UnknownHostException {
        return new InetSocketAddress(InetAddress.getByName(ip), 80);
    }

    @Test
    void addressesAreOrderedByFamilyKeepingTheResolversOrderWithinEach() throws Exception {
        InetSocketAddress v4 = at("192.0.2.1");
        InetSocketAddress v6 = at("2001:db8::1");
        InetSocketAddress v4b = at("192.0.2.2");
        List<InetSocketAddress> found = List.of(v4, v6, v4b);
        assertThat(ConnectOptions.AddressOrder.AS_RESOLVED.apply(found)).containsExactly(v4, v6, v4b);
        assertThat(ConnectOptions.AddressOrder.IPV6_FIRST.apply(found)).containsExactly(v6, v4, v4b);
        assertThat(ConnectOptions.AddressOrder.IPV4_FIRST.apply(List.of(v6, v4, v4b)))
                .containsExactly(v4, v4b, v6);
    }

    @Test
    void aTimeoutMustBePositivePerAddress() {
        assertThatThrownBy(() -> new ConnectOptions(
                        Duration.ZERO, Duration.ZERO, ConnectOptions.AddressOrder.AS_RESOLVED, null, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("per address");
    }

    @Test
    void equalSettingsShareOneContextAndUnusableOnesSayWhy() throws Exception {
        TlsContexts contexts = new TlsContexts();
        TlsSettings a = new TlsSettings(null, false, null, null, List.of("TLSv1.3"), null);
        TlsSettings b = new TlsSettings(null, false, null, null, List.of("TLSv1.3"), null);
        assertThat(contexts.context(a)).isSameAs(contexts.context(b));
        assertThat(contexts.context(a)).isNotSameAs(contexts.forTrust(false));
        assertThat(contexts.forTrust(false)).isSameAs(contexts.context(TlsSettings.VERIFYING));
        assertThat(contexts.size()).isEqualTo(2);

        TlsSettings bad = new TlsSettings("not a certificate", false, null, null, null, null);
        assertThatThrownBy(() -> contexts.context(bad)).isInstanceOf(SSLException.class);
        assertThat(contexts.size()).isEqualTo(2);
        // the key's bytes count, the array's identity does not
        TlsSettings k1 = new TlsSettings(null, false, "cert", new byte[] {1, 2}, null, null);
        TlsSettings k2 = new TlsSettings(null, false, "cert", new byte[] {1, 2}, null, null);
        assertThat(k1).isEqualTo(k2).hasSameHashCodeAs(k2);
        assertThat(k1.toString()).doesNotContain("[1, 2]");
    }
}
