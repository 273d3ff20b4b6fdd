package dev.outpost.proxy.ws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.proxy.OutpostProxy;
import dev.outpost.proxy.support.LeakGuard;
import dev.outpost.proxy.support.ProxyHarness;
import dev.outpost.proxy.support.Publisher;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** One publish reaches many WebSocket clients, each exactly once, and nothing is left behind when they go. */
@ExtendWith(LeakGuard.class)
@Timeout(120)
class WsFanOutTest {
    static final int CLIENTS = 200;

    @Test
    void onePublishManyClients() throws Exception {
        try (OutpostProxy proxy = ProxyHarness.start(null)) {
            List<WsClient> clients = new ArrayList<>();
            try {
                for (int i = 0; i < CLIENTS; i++) {
                    clients.add(WsClient.connect(proxy.httpPort(), "/ws?channel=fan"));
                }
                Awaitility.await()
                        .atMost(Duration.ofSeconds(30))
                        .until(() -> proxy.hub().subscriberCount("fan") == CLIENTS);
                String big = "z".repeat(40_000);
                var r = Publisher.publish(
                        proxy.publishPort(),
                        "{\"items\":["
                                + "{\"channel\":\"fan\",\"formats\":{\"ws-message\":{\"content\":\"one\"}}},"
                                + "{\"channel\":\"fan\",\"formats\":{\"ws-message\":{\"content\":\"" + big + "\"}}}]}");
                assertThat(r.statusCode()).isEqualTo(200);
                for (WsClient c : clients) {
                    assertThat(c.nextText()).isEqualTo("one");
                    assertThat(c.nextText()).isEqualTo(big);
                }
                assertThat(clients).allMatch(c -> c.events.isEmpty());
            } finally {
                clients.forEach(WsClient::close);
            }
            Awaitility.await()
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> proxy.hub().subscriberCount("fan") == 0);
        }
    }
}
