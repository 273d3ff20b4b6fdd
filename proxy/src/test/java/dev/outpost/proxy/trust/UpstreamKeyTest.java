package dev.outpost.proxy.trust;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.grip.sig.GripSig;
import dev.outpost.proxy.OutpostProxy;
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
 * {@code upstream_key} (issue 16): a request signed by the GRIP proxy in front of this one passes through as Pushpin
 * passes a trusted client's: its {@code Grip-*} headers reach the origin, the origin's instructions go back to it
 * unprocessed, and it may send WebSocket-over-HTTP events. A client's request, unsigned or signed with another key or
 * expired, keeps being treated as a client's.
 */
@ExtendWith(LeakGuard.class)
@Timeout(60)
class UpstreamKeyTest {
    static final byte[] OUTER = "outer-proxy-key".getBytes(StandardCharsets.UTF_8);
    static final byte[] INNER = "inner-sig-key".getBytes(StandardCharsets.UTF_8);

    TestOrigin origin;
    OutpostProxy proxy;

    @BeforeEach
    void start() throws Exception {
        origin = new TestOrigin();
        origin.hold("/hold", "response", "trust", "timeout body\n");
        origin.on("/events", ex -> TestOrigin.respond(ex, 200, "application/websocket-events", ""));
        proxy = ProxyHarness.start(
                "* 127.0.0.1:" + origin.port() + "\nevents.example 127.0.0.1:" + origin.port() + ",over_http",
                b -> b.sigIss("inner").sigKey(INNER).setting(UpstreamKey.SETTING, "outer-proxy-key"));
    }

    @AfterEach
    void stop() {
        proxy.close();
        origin.close();
    }

    private RawHttp.Response get(String path, String... headers) throws Exception {
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            return c.send(RawHttp.get(path, headers)).read();
        }
    }

    @Test
    void aSignedUpstreamPassesThroughWithItsGripHeaders() throws Exception {
        String sig = GripSig.sign("outer", OUTER, Instant.now());
        RawHttp.Response r = get("/hold", "Grip-Sig: " + sig, "Grip-Last: trust; last-id=7");
        TestOrigin.Seen seen = origin.take();
        assertThat(seen.header("Grip-Sig")).isEqualTo(sig);
        assertThat(seen.header("Grip-Last")).isEqualTo("trust; last-id=7");
        assertThat(seen.header("Grip-Feature")).isNull();
        // the instructions are the upstream proxy's to act on: answered at once, Grip-* headers intact
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Grip-Hold")).isEqualTo("response");
        assertThat(r.header("Grip-Channel")).isEqualTo("trust");
        assertThat(r.text()).isEqualTo("timeout body\n");
        assertThat(proxy.hub().subscriberCount("trust")).isZero();
    }

    @Test
    void aClientIsNotTrustedWhateverItSends() throws Exception {
        String[] sigs = {
            GripSig.sign("outer", "guessed".getBytes(StandardCharsets.UTF_8), Instant.now()),
            GripSig.sign("outer", OUTER, Instant.now().minusSeconds(GripSig.TTL_SECONDS + 60)),
            "not-a-jwt"
        };
        for (String sig : sigs) {
            try (RawHttp c = new RawHttp(proxy.httpPort())) {
                c.send(RawHttp.get("/hold", "Grip-Sig: " + sig, "Grip-Last: trust; last-id=7"));
                TestOrigin.Seen seen = origin.take();
                // this proxy's own signature, the client's Grip-* gone
                assertThat(GripSig.verify(seen.header("Grip-Sig"), INNER, Instant.now()))
                        .isTrue();
                assertThat(seen.header("Grip-Last")).isNull();
                assertThat(seen.header("Grip-Feature")).isNotNull();
                // held here
                ProxyHarness.awaitSubscribers(proxy, "trust", 1);
            }
            ProxyHarness.awaitSubscribers(proxy, "trust", 0);
        }
    }

    @Test
    void onlyASignedUpstreamMaySendWebSocketEvents() throws Exception {
        String event = "TEXT 2\r\nhi\r\n";
        String head = "POST /events HTTP/1.1\r\nHost: events.example\r\nContent-Type: application/websocket-events\r\n"
                + "Connection-Id: c1\r\nContent-Length: " + event.length() + "\r\n";
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            RawHttp.Response r = c.send(head + "\r\n" + event).read();
            assertThat(r.status()).isEqualTo(403);
        }
        String sig = GripSig.sign("outer", OUTER, Instant.now());
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            RawHttp.Response r =
                    c.send(head + "Grip-Sig: " + sig + "\r\n\r\n" + event).read();
            assertThat(r.status()).isEqualTo(200);
        }
        TestOrigin.Seen seen = origin.take();
        assertThat(seen.uri()).isEqualTo("/events");
        assertThat(seen.bodyText()).isEqualTo(event);
        assertThat(seen.header("Grip-Sig")).isEqualTo(sig);
    }
}
