package dev.outpost.proxy.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import dev.outpost.proxy.OutpostProxy;
import dev.outpost.proxy.pubsub.Drops;
import dev.outpost.proxy.support.LeakGuard;
import dev.outpost.proxy.support.LogCapture;
import dev.outpost.proxy.support.ProxyHarness;
import dev.outpost.proxy.support.Publisher;
import dev.outpost.proxy.support.RawHttp;
import dev.outpost.testkit.TestOrigin;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A limit that bites many times for one connection or one response logs a line or two with a count, not one line per
 * dropped item or channel (issue 16, item 8); every drop is still counted, and shown in /metrics.
 */
@ExtendWith(LeakGuard.class)
@Timeout(60)
class LogFloodTest {

    @Test
    void aResponseWithTooManyChannelsLogsOneLine() throws Exception {
        List<String> channels = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            channels.add("c" + i);
        }
        try (TestOrigin origin = new TestOrigin();
                LogCapture log = new LogCapture(Drops.class, Level.WARN)) {
            origin.hold("/many", "stream", String.join(", ", channels), "held\n");
            try (OutpostProxy proxy = ProxyHarness.start("* 127.0.0.1:" + origin.port());
                    RawHttp c = new RawHttp(proxy.httpPort())) {
                c.send(RawHttp.get("/many"));
                assertThat(c.readHead().status()).isEqualTo(200);
                ProxyHarness.awaitSubscribers(proxy, "c19", 1);
                assertThat(proxy.drops().count("subscription_max")).isEqualTo(480);
            }
            assertThat(log.lines()).hasSize(1);
            assertThat(log.lines().get(0))
                    .contains("subscription_max", "480 channel(s)", "connection_subscription_max is 20", "c20, c21");
        }
    }

    @Test
    void aStreamClientThatDoesNotReadLogsAtMostTwoLines() throws Exception {
        try (LogCapture log = new LogCapture(Drops.class, Level.WARN);
                OutpostProxy proxy = ProxyHarness.start(
                        null, b -> b.setting("outpost/stream_queue_max", "2").setting("outpost/inspector_port", "0"))) {
            try (RawHttp c = new RawHttp(proxy.httpPort())) {
                c.send(RawHttp.get("/stream"));
                ProxyHarness.awaitSubscribers(proxy, "test", 1);
                String big = "x".repeat(60_000);
                // far more than the socket buffers take: the client reads nothing
                for (int i = 0; i < 40; i++) {
                    StringBuilder items = new StringBuilder();
                    for (int j = 0; j < 10; j++) {
                        items.append(j == 0 ? "" : ",").append(Publisher.streamItem("test", big, ""));
                    }
                    Publisher.publishItems(proxy.publishPort(), items.toString());
                }
                await().atMost(Duration.ofSeconds(20)).until(() -> proxy.drops().count("session_queue") > 50);
                assertThat(log.lines()).hasSize(1);
                assertThat(log.lines().get(0)).contains("session_queue", "stream_queue_max 2");
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> proxy.openConnections() == 0);
            // the sum when the stream ends
            await().atMost(Duration.ofSeconds(10)).until(() -> log.lines().size() == 2);
            long dropped = (long) proxy.drops().count("session_queue");
            assertThat(log.lines().get(1)).contains("dropped (session_queue) " + dropped + " times in all");
            try (RawHttp c = new RawHttp(proxy.inspectorAddress().getPort())) {
                assertThat(c.send(RawHttp.get("/metrics")).read().text())
                        .contains("outpost_messages_dropped_total{reason=\"session_queue\"} " + dropped + ".0");
            }
        }
    }
}
