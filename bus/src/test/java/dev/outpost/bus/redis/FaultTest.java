package dev.outpost.bus.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.outpost.bus.OutpostNode;
import dev.outpost.bus.support.Http;
import dev.outpost.bus.support.RedisServer;
import dev.outpost.bus.support.StreamClient;
import dev.outpost.proxy.config.ProxyConfig;
import dev.outpost.proxy.pubsub.BusStatus;
import dev.outpost.proxy.route.RouteTable;
import dev.outpost.proxy.route.RoutesParser;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Redis killed, restarted, stalled: publishes are refused with 503 in time, held clients stay and receive again. */
class FaultTest {
    RedisServer redis;
    final List<OutpostNode> nodes = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        redis = RedisServer.start();
        RouteTable routes = RouteTable.of(List.of(RoutesParser.parseLine("* test", "test")));
        for (int i = 0; i < 2; i++) {
            nodes.add(OutpostNode.start(
                    ProxyConfig.builder()
                            .httpPort(0)
                            .publishPort(0)
                            .setting("handler/bus", redis.uri())
                            .setting("handler/bus_queue_max", "3")
                            .setting("handler/subscription_linger", "1")
                            .build(),
                    routes));
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> nodes.stream().allMatch(n -> bus(n).connected()));
    }

    @AfterEach
    void stop() throws Exception {
        nodes.forEach(OutpostNode::close);
        redis.close();
    }

    static BusStatus bus(OutpostNode n) {
        return n.proxy().hub().bus().orElseThrow();
    }

    List<StreamClient> streams(String channel) throws Exception {
        List<StreamClient> out = new ArrayList<>();
        for (OutpostNode n : nodes) {
            StreamClient s = new StreamClient(n.proxy().httpPort(), channel);
            s.awaitOpened();
            out.add(s);
        }
        String name = "outpost:0:" + channel;
        await().atMost(Duration.ofSeconds(10)).until(() -> redis.numsub(name).get(name) == nodes.size());
        return out;
    }

    @Test
    void aChannelIsUnsubscribedOnTheBusAfterTheLingerAndSubscribedAgainWhenWanted() throws Exception {
        String name = "outpost:0:linger";
        StreamClient s = new StreamClient(nodes.get(0).proxy().httpPort(), "linger");
        s.awaitOpened();
        await().atMost(Duration.ofSeconds(10)).until(() -> redis.numsub(name).get(name) == 1);
        s.close();
        // subscription_linger 1 s
        await().atMost(Duration.ofSeconds(10)).until(() -> redis.numsub(name).get(name) == 0);
        StreamClient again = new StreamClient(nodes.get(0).proxy().httpPort(), "linger");
        again.awaitOpened();
        await().atMost(Duration.ofSeconds(10)).until(() -> redis.numsub(name).get(name) == 1);
        assertThat(Http.publish(nodes.get(1).proxy().publishPort(), "linger", "back", null)
                        .statusCode())
                .isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> again.lines("back").size() == 1);
        again.close();
    }

    @Test
    void redisKilledMeans503InTimeThenAfterARestartHeldStreamsReceiveAgain() throws Exception {
        List<StreamClient> streams = streams("k");
        int pub = nodes.get(0).proxy().publishPort();
        assertThat(Http.publish(pub, "k", "before", null).statusCode()).isEqualTo(200);

        redis.kill();
        await().atMost(Duration.ofSeconds(10)).until(() -> !bus(nodes.get(0)).connected());
        long t0 = System.nanoTime();
        HttpResponse<String> r = Http.publish(pub, "k", "lost", null);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.body())
                .startsWith("Service Unavailable: not published: the bus redis://127.0.0.1:" + redis.port())
                .contains("is not connected");
        assertThat(ms).isLessThan(2000);
        assertThat(bus(nodes.get(0)).publishFailures()).isGreaterThanOrEqualTo(1);
        for (StreamClient s : streams) {
            assertThat(s.isClosed()).isFalse();
        }

        redis.restart();
        await().atMost(Duration.ofSeconds(20)).until(() -> nodes.stream().allMatch(n -> bus(n).connected()));
        // every held channel is subscribed again
        await().atMost(Duration.ofSeconds(10))
                .until(() -> redis.numsub("outpost:0:k").get("outpost:0:k") == 2);
        assertThat(Http.publish(nodes.get(1).proxy().publishPort(), "k", "after", null)
                        .statusCode())
                .isEqualTo(200);
        for (StreamClient s : streams) {
            await().atMost(Duration.ofSeconds(10)).until(() -> s.lines("after").size() == 1);
            assertThat(s.lines("before")).hasSize(1);
            assertThat(s.lines("lost")).isEmpty();
            s.close();
        }
    }

    @Test
    void aStalledBusMeans503AfterTheTimeoutAndAFullQueueMeans503AtOnce() throws Exception {
        List<StreamClient> streams = streams("slow");
        int pub = nodes.get(0).proxy().publishPort();
        redis.pause();
        try {
            HttpClient client = HttpClient.newHttpClient();
            List<CompletableFuture<HttpResponse<String>>> waiting = new ArrayList<>();
            long t0 = System.nanoTime();
            for (int i = 0; i < 3; i++) {
                waiting.add(client.sendAsync(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + pub + "/publish/"))
                                .POST(HttpRequest.BodyPublishers.ofString(Http.items("slow", "w" + i, null)))
                                .build(),
                        HttpResponse.BodyHandlers.ofString()));
            }
            // bus_queue_max 3: the fourth is refused at once
            await().atMost(Duration.ofSeconds(5)).until(() -> bus(nodes.get(0)).queued() == 3);
            HttpResponse<String> full = Http.publish(pub, "slow", "full", null);
            assertThat(full.statusCode()).isEqualTo(503);
            assertThat(full.body()).contains("too slow").contains("bus_queue_max");
            for (CompletableFuture<HttpResponse<String>> f : waiting) {
                HttpResponse<String> r = f.get();
                assertThat(r.statusCode()).isEqualTo(503);
                assertThat(r.body()).contains("did not confirm within 1500 ms");
            }
            assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(2000 + 1000);
        } finally {
            redis.resume();
        }
        for (StreamClient s : streams) {
            assertThat(s.isClosed()).isFalse();
        }
        // the stalled items were queued in Redis's socket and go out late; new ones go out as usual
        await().atMost(Duration.ofSeconds(10)).until(() -> bus(nodes.get(0)).queued() == 0);
        assertThat(Http.publish(pub, "slow", "ok", null).statusCode()).isEqualTo(200);
        for (StreamClient s : streams) {
            await().atMost(Duration.ofSeconds(10)).until(() -> s.lines("ok").size() == 1);
            assertThat(s.lines("full")).isEmpty();
            s.close();
        }
    }
}
