package dev.outpost.proxy.ws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.proxy.OutpostProxy;
import dev.outpost.proxy.config.Forwarding;
import dev.outpost.proxy.support.LeakGuard;
import dev.outpost.proxy.support.ProxyHarness;
import dev.outpost.proxy.support.RawWs;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** A WebSocket handshake gets the same forwarding headers as an HTTP request, with {@code wss} as the scheme. */
@ExtendWith(LeakGuard.class)
@Timeout(60)
class WsForwardingTest {
    WsOrigin origin;
    OutpostProxy proxy;

    @BeforeEach
    void start() throws Exception {
        origin = new WsOrigin();
        proxy = ProxyHarness.start(
                "* 127.0.0.1:" + origin.port(),
                b -> b.setting(Forwarding.ACCEPT, "true")
                        .setting(Forwarding.SET, "proto-only")
                        .setting(Forwarding.XFF, "truncate:0,append")
                        .setting(Forwarding.CDN_LOOP, "outpost"));
    }

    @AfterEach
    void stop() {
        proxy.close();
        origin.close();
    }

    @Test
    void aHandshakeClaimingHttpsIsForwardedAsWss() throws Exception {
        List<String> sent = List.of("X-Forwarded-Proto: https", "X-Forwarded-For: 6.6.6.6");
        try (RawWs ws = new RawWs(proxy.httpPort(), "/chat", "localhost", sent)) {
            var h = origin.handshake().headers();
            assertThat(ws.responseHeaders).isNotEmpty();
            assertThat(h.getAll("X-Forwarded-Proto")).containsExactly("wss");
            assertThat(h.contains("X-Forwarded-Protocol")).isFalse();
            assertThat(h.getAll("X-Forwarded-For")).containsExactly("127.0.0.1");
            assertThat(h.getAll("CDN-Loop")).containsExactly("outpost");
        }
    }

    @Test
    void aPlainHandshakeLosesTheClaim() throws Exception {
        List<String> sent = List.of("X-Forwarded-Proto: http");
        try (RawWs ws = new RawWs(proxy.httpPort(), "/chat", "localhost", sent)) {
            var h = origin.handshake().headers();
            assertThat(ws.responseHeaders).isNotEmpty();
            assertThat(h.contains("X-Forwarded-Proto")).isFalse();
            assertThat(h.getAll("X-Forwarded-For")).containsExactly("127.0.0.1");
        }
    }
}
