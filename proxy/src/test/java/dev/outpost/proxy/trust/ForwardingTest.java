package dev.outpost.proxy.trust;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.grip.sig.GripSig;
import dev.outpost.proxy.OutpostProxy;
import dev.outpost.proxy.config.Forwarding;
import dev.outpost.proxy.config.UpstreamKey;
import dev.outpost.proxy.support.LeakGuard;
import dev.outpost.proxy.support.ProxyHarness;
import dev.outpost.proxy.support.RawHttp;
import dev.outpost.testkit.TestOrigin;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The forwarding keys of pushpin.conf through a running proxy: {@code X-Forwarded-For} rules for clients and for a
 * signed upstream proxy, {@code X-Forwarded-Proto} set for clients that count as TLS clients (here: accepted from
 * the client's own header, which also selects {@code ssl=yes} routes), and {@code CDN-Loop}.
 */
@ExtendWith(LeakGuard.class)
@Timeout(60)
class ForwardingTest {
    static final byte[] OUTER = "outer-proxy-key".getBytes(StandardCharsets.UTF_8);

    TestOrigin origin;
    OutpostProxy proxy;

    @BeforeEach
    void start() throws Exception {
        origin = new TestOrigin();
        origin.on("/f", ex -> TestOrigin.respond(ex, 200, "text/plain", "ok"));
        String o = "127.0.0.1:" + origin.port();
        proxy = ProxyHarness.start(
                "* " + o + "\n*,ssl=yes,header=X-Route:secure " + o + "\n",
                b -> b.sigKey("inner".getBytes(StandardCharsets.UTF_8))
                        .setting(UpstreamKey.SETTING, "outer-proxy-key")
                        .setting(Forwarding.ACCEPT, "true")
                        .setting(Forwarding.SET, "true")
                        .setting(Forwarding.XFF, "truncate:1,append")
                        .setting(Forwarding.XFF_TRUSTED, "append")
                        .setting(Forwarding.CDN_LOOP, "outpost"));
    }

    @AfterEach
    void stop() {
        proxy.close();
        origin.close();
    }

    private TestOrigin.Seen through(String... headers) throws Exception {
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            assertThat(c.send(RawHttp.get("/f", headers)).read().status()).isEqualTo(200);
        }
        return origin.take();
    }

    @Test
    void aPlainClientKeepsTheLastEntryAndGetsItsAddressAppended() throws Exception {
        TestOrigin.Seen s = through("X-Forwarded-For: 1.1.1.1, 2.2.2.2", "X-Forwarded-Proto: http", "CDN-Loop: fastly");
        assertThat(s.header("X-Forwarded-For")).isEqualTo("2.2.2.2, 127.0.0.1");
        // not a TLS client: the client's claim is removed and nothing is set
        assertThat(s.header("X-Forwarded-Proto")).isNull();
        assertThat(s.header("X-Forwarded-Protocol")).isNull();
        assertThat(s.header("CDN-Loop")).isEqualTo("fastly, outpost");
        assertThat(s.header("X-Route")).isNull();
    }

    @Test
    void anAcceptedHttpsClaimMakesATlsClient() throws Exception {
        TestOrigin.Seen s = through("X-Forwarded-Proto: https");
        assertThat(s.header("X-Forwarded-Proto")).isEqualTo("https");
        assertThat(s.header("X-Forwarded-Protocol")).isEqualTo("https");
        assertThat(s.header("X-Route")).isEqualTo("secure");
        assertThat(s.header("X-Forwarded-For")).isEqualTo("127.0.0.1");
    }

    @Test
    void aSignedUpstreamHasItsOwnRule() throws Exception {
        String sig = GripSig.sign("outer", OUTER, Instant.now());
        TestOrigin.Seen s = through("Grip-Sig: " + sig, "X-Forwarded-For: 203.0.113.5, 198.51.100.7");
        assertThat(s.header("X-Forwarded-For")).isEqualTo("203.0.113.5, 198.51.100.7, 127.0.0.1");
        assertThat(s.header("Grip-Sig")).isEqualTo(sig);
    }
}
