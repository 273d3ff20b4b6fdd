package dev.outpost.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.outpost.proxy.support.LeakGuard;
import dev.outpost.proxy.support.ProxyHarness;
import dev.outpost.proxy.support.Publisher;
import dev.outpost.proxy.support.RawHttp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Many held clients on one channel, one publish: every one of them gets it, on a handful of threads. */
@ExtendWith(LeakGuard.class)
@Timeout(120)
class FanOutTest {
    static final int CLIENTS = 400;

    @Test
    void onePublishReachesEveryStreamAndLongPoll() throws Exception {
        List<RawHttp> streams = new ArrayList<>();
        List<RawHttp> polls = new ArrayList<>();
        try (OutpostProxy p = ProxyHarness.start(null)) {
            try {
                int threadsWithTwo = -1;
                for (int i = 0; i < CLIENTS; i++) {
                    RawHttp s = new RawHttp(p.httpPort());
                    streams.add(s);
                    s.send(RawHttp.get("/stream?channel=fan"));
                    RawHttp l = new RawHttp(p.httpPort());
                    polls.add(l);
                    l.send(RawHttp.get("/response?channel=fan"));
                    if (i == 0) {
                        RawHttp first = streams.get(0);
                        first.readHead();
                        assertThat(first.readChunkText()).isEqualTo("[stream opened]\n");
                        threadsWithTwo = Thread.activeCount();
                    }
                }
                for (RawHttp s : streams.subList(1, streams.size())) {
                    s.readHead();
                    assertThat(s.readChunkText()).isEqualTo("[stream opened]\n");
                }
                await().atMost(Duration.ofSeconds(30)).until(() -> p.hub().subscriberCount("fan") == 2 * CLIENTS);
                // no thread per connection: 800 open connections cost no more threads than 2 did
                assertThat(Thread.activeCount()).isLessThanOrEqualTo(threadsWithTwo + 2);
                Publisher.publishText(p.publishPort(), "fan", "to all\n");
                for (RawHttp s : streams) {
                    assertThat(s.readChunkText()).isEqualTo("to all\n");
                }
                for (RawHttp l : polls) {
                    assertThat(l.read().text()).isEqualTo("to all\n");
                }
                await().atMost(Duration.ofSeconds(30)).until(() -> p.hub().subscriberCount("fan") == CLIENTS);
            } finally {
                for (RawHttp s : streams) {
                    s.close();
                }
                for (RawHttp l : polls) {
                    l.close();
                }
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> p.hub().subscriberCount("fan") == 0);
        }
    }
}
