package dev.outpost.proxy.ws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.proxy.OutpostProxy;
import dev.outpost.proxy.support.LeakGuard;
import dev.outpost.proxy.support.ProxyHarness;
import dev.outpost.proxy.support.Publisher;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Filters on WebSocket subscriptions, fed by set-meta control messages and publish meta. */
@ExtendWith(LeakGuard.class)
@Timeout(60)
class WsFiltersTest {
    WsOrigin origin;
    OutpostProxy proxy;

    @BeforeEach
    void start() throws Exception {
        origin = new WsOrigin();
        origin.answer =
                r -> new WsOrigin.Answer(101, new DefaultHttpHeaders().set("Sec-WebSocket-Extensions", "grip"), "");
        proxy = ProxyHarness.start("* 127.0.0.1:" + origin.port() + "\n");
    }

    @AfterEach
    void stop() {
        proxy.close();
        origin.close();
    }

    private void publish(String sender, String content) throws Exception {
        var r = Publisher.publish(
                proxy.publishPort(),
                "{\"items\":[{\"channel\":\"chat\",\"meta\":{\"sender\":\"" + sender
                        + "\"},\"formats\":{\"ws-message\":{\"content\":\"" + content + "\"}}}]}");
        assertThat(r.statusCode()).isEqualTo(200);
    }

    @Test
    void skipSelfAndVarSubst() throws Exception {
        try (WsClient c = WsClient.connect(proxy.httpPort(), "/x")) {
            Channel o = origin.connection();
            WsOrigin.sendText(o, "c:{\"type\":\"set-meta\",\"name\":\"user\",\"value\":\"alice\"}");
            WsOrigin.sendText(
                    o, "c:{\"type\":\"subscribe\",\"channel\":\"chat\",\"filters\":[\"skip-self\",\"var-subst\"]}");
            WsOrigin.sendText(o, "m:ready");
            assertThat(c.nextText()).isEqualTo("ready");
            publish("alice", "from alice");
            publish("bob", "hi %(user)s");
            assertThat(c.nextText()).isEqualTo("hi alice");
        }
    }
}
