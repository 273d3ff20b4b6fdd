package dev.outpost.proxy.ws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.grip.sig.GripSig;
import dev.outpost.proxy.OutpostProxy;
import dev.outpost.proxy.config.UpstreamKey;
import dev.outpost.proxy.support.LeakGuard;
import dev.outpost.proxy.support.ProxyHarness;
import dev.outpost.proxy.support.RawWs;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code upstream_key} on WebSockets (issue 16): a handshake signed by the GRIP proxy in front is passed to the origin
 * with its own {@code Grip-*} headers, the origin's {@code grip} extension goes back to it, and the origin's GRIP
 * messages reach it untouched (it does the GRIP part), as Pushpin passes such a session upstream. A client's
 * handshake gets the GRIP handling as before.
 */
@ExtendWith(LeakGuard.class)
@Timeout(60)
class UpstreamWebSocketTest {
    static final byte[] OUTER = "outer-proxy-key".getBytes(StandardCharsets.UTF_8);
    static final byte[] INNER = "inner-sig-key".getBytes(StandardCharsets.UTF_8);

    WsOrigin origin;
    OutpostProxy proxy;

    @BeforeEach
    void start() throws Exception {
        origin = new WsOrigin();
        origin.answer = r -> new WsOrigin.Answer(
                101, new DefaultHttpHeaders().set("Sec-WebSocket-Extensions", "grip; message-prefix=\"m:\""), null);
        proxy = ProxyHarness.start(
                "* 127.0.0.1:" + origin.port(),
                b -> b.sigIss("inner").sigKey(INNER).setting(UpstreamKey.SETTING, "outer-proxy-key"));
    }

    @AfterEach
    void stop() {
        proxy.close();
        origin.close();
    }

    @Test
    void aSignedUpstreamGetsTheGripExtensionAndTheOriginsMessagesUntouched() throws Exception {
        String sig = GripSig.sign("outer", OUTER, Instant.now());
        try (RawWs ws = new RawWs(proxy.httpPort(), "/chat", "localhost", List.of("Grip-Sig: " + sig))) {
            var handshake = origin.handshake();
            assertThat(handshake.headers().get("Grip-Sig")).isEqualTo(sig);
            assertThat(handshake.headers().get("Sec-WebSocket-Extensions")).isEqualTo("grip");
            assertThat(ws.responseHeaders)
                    .anyMatch(h -> h.equalsIgnoreCase("Sec-WebSocket-Extensions: grip; message-prefix=\"m:\""));

            Channel c = origin.connection();
            WsOrigin.sendText(c, "c:{\"type\":\"subscribe\",\"channel\":\"room\"}");
            WsOrigin.sendText(c, "m:hello");
            assertThat(text(ws.read())).isEqualTo("c:{\"type\":\"subscribe\",\"channel\":\"room\"}");
            assertThat(text(ws.read())).isEqualTo("m:hello");
        }
    }

    @Test
    void aClientGetsTheGripHandling() throws Exception {
        String wrong = GripSig.sign("outer", "another-key".getBytes(StandardCharsets.UTF_8), Instant.now());
        try (RawWs ws = new RawWs(proxy.httpPort(), "/chat", "localhost", List.of("Grip-Sig: " + wrong))) {
            var handshake = origin.handshake();
            // signed by this proxy, not the client's token
            assertThat(handshake.headers().get("Grip-Sig")).isNotEqualTo(wrong);
            assertThat(GripSig.verify(handshake.headers().get("Grip-Sig"), INNER, Instant.now()))
                    .isTrue();
            assertThat(ws.responseHeaders).noneMatch(h -> h.toLowerCase().startsWith("sec-websocket-extensions"));

            Channel c = origin.connection();
            WsOrigin.sendText(c, "c:{\"type\":\"subscribe\",\"channel\":\"room\"}");
            WsOrigin.sendText(c, "m:hello");
            assertThat(text(ws.read())).isEqualTo("hello");
        }
    }

    private static String text(RawWs.Frame f) {
        assertThat(f.opcode()).isEqualTo(RawWs.TEXT);
        return new String(f.payload(), StandardCharsets.UTF_8);
    }
}
