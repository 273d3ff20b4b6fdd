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
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Three nodes on one Redis in one JVM (separate processes: {@code cli}'s ClusterProcessTest): every subscriber on every
 * node gets each item exactly once, in one order, with IDs de-duplicated and {@code prev-id} sequenced cluster-wide.
 */
class ClusterTest {
    static RedisServer redis;
    static final List<OutpostNode> nodes = new ArrayList<>();

    static ProxyConfig config(String bus) {
        return ProxyConfig.builder()
                .httpPort(0)
                .publishPort(0)
                .idCacheTtlSeconds(60)
                .messageWaitMs(800)
                .setting("handler/bus", bus)
                .build();
    }

    @BeforeAll
    static void start() throws Exception {
        redis = RedisServer.start();
        RouteTable routes = RouteTable.of(List.of(RoutesParser.parseLine("* test", "test")));
        for (int i = 0; i < 3; i++) {
            nodes.add(OutpostNode.start(config(redis.uri()), routes));
        }
        await().atMost(Duration.ofSeconds(20))
                .until(() -> nodes.stream()
                        .allMatch(n -> n.proxy().hub().bus().orElseThrow().connected()));
    }

    @AfterAll
    static void stop() throws Exception {
        nodes.forEach(OutpostNode::close);
        if (redis != null) {
            redis.close();
        }
    }

    static int http(int node) {
        return nodes.get(node).proxy().httpPort();
    }

    static int pub(int node) {
        return nodes.get(node).proxy().publishPort();
    }

    /** A stream on each node, each subscribed on the bus. */
    static List<StreamClient> streams(String channel) throws Exception {
        List<StreamClient> out = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            StreamClient s = new StreamClient(http(i), channel);
            s.awaitOpened();
            out.add(s);
        }
        await().atMost(Duration.ofSeconds(10))
                .until(() -> redis.numsub("outpost:0:" + channel).get("outpost:0:" + channel) == nodes.size());
        return out;
    }

    static void close(List<StreamClient> streams) throws Exception {
        for (StreamClient s : streams) {
            s.close();
        }
    }

    @Test
    void aPublishOnAnyNodeReachesEverySubscriberOnEveryNodeOnceInOneOrder() throws Exception {
        List<StreamClient> streams = streams("order");
        // two extra subscribers on node 1: every subscriber, not every node
        StreamClient extra = new StreamClient(http(1), "order");
        extra.awaitOpened();
        streams.add(extra);
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            String line = "m" + i;
            sent.add(line);
            HttpResponse<String> r = Http.publish(pub(i % 3), "order", line, null);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        }
        for (StreamClient s : streams) {
            await().atMost(Duration.ofSeconds(10)).until(() -> s.lines("m").size() >= sent.size());
        }
        Thread.sleep(200);
        for (StreamClient s : streams) {
            assertThat(s.lines("m")).containsExactlyElementsOf(sent);
        }
        BusStatus b = nodes.get(0).proxy().hub().bus().orElseThrow();
        assertThat(b.messagesOut()).isGreaterThanOrEqualTo(10);
        assertThat(b.messagesIn()).isGreaterThanOrEqualTo(30);
        close(streams);
    }

    @Test
    void aConfirmedPublishLeavesNoTimeoutBehind() throws Exception {
        RedisChannelHub hub = (RedisChannelHub) nodes.get(0).proxy().hub();
        int before = hub.pendingTimers();
        for (int i = 0; i < 40; i++) {
            HttpResponse<String> r = Http.publish(pub(0), "confirmed", "c" + i, null);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        }
        // Each publish's bus_timeout (1.5 s) was cancelled when the bus confirmed it, before its 200.
        assertThat(hub.pendingTimers()).isLessThanOrEqualTo(before);
    }

    @Test
    void concurrentPublishersOnThreeNodesStillGiveOneOrderEverywhere() throws Exception {
        List<StreamClient> streams = streams("race");
        List<Thread> threads = new ArrayList<>();
        for (int n = 0; n < 3; n++) {
            int node = n;
            Thread t = new Thread(() -> {
                try {
                    for (int i = 0; i < 20; i++) {
                        Http.publish(pub(node), "race", "r" + node + "-" + i, null);
                    }
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join();
        }
        for (StreamClient s : streams) {
            await().atMost(Duration.ofSeconds(10)).until(() -> s.lines("r").size() >= 60);
        }
        Thread.sleep(200);
        List<String> first = streams.get(0).lines("r");
        assertThat(first).hasSize(60).doesNotHaveDuplicates();
        for (StreamClient s : streams) {
            assertThat(s.lines("r")).containsExactlyElementsOf(first);
        }
        close(streams);
    }

    @Test
    void idsAreDeduplicatedAcrossNodes() throws Exception {
        List<StreamClient> streams = streams("dedup");
        assertThat(Http.publish(pub(0), "dedup", "once", "\"id\":\"a1\"").statusCode())
                .isEqualTo(200);
        assertThat(Http.publish(pub(1), "dedup", "once", "\"id\":\"a1\"").statusCode())
                .isEqualTo(200);
        assertThat(Http.publish(pub(2), "dedup", "after", "\"id\":\"a2\"").statusCode())
                .isEqualTo(200);
        for (StreamClient s : streams) {
            await().atMost(Duration.ofSeconds(10)).until(() -> s.lines("after").size() == 1);
            assertThat(s.lines("once")).hasSize(1);
        }
        close(streams);
    }

    @Test
    void prevIdOrderHoldsAcrossNodesAndAWaitEndsEverywhere() throws Exception {
        List<StreamClient> streams = streams("seq");
        Http.publish(pub(0), "seq", "s1", "\"id\":\"1\"");
        // 3 before 2, from different nodes: 3 waits for 2 on every node
        Http.publish(pub(1), "seq", "s3", "\"id\":\"3\",\"prev-id\":\"2\"");
        Http.publish(pub(2), "seq", "s2", "\"id\":\"2\",\"prev-id\":\"1\"");
        for (StreamClient s : streams) {
            await().atMost(Duration.ofSeconds(10)).until(() -> s.lines("s").size() >= 3);
            assertThat(s.lines("s")).containsExactly("s1", "s2", "s3");
        }
        // a predecessor that never comes: the wait (message_wait 800 ms) ends by a tick on the bus, everywhere
        Http.publish(pub(0), "seq", "s5", "\"id\":\"5\",\"prev-id\":\"4\"");
        Http.publish(pub(0), "seq", "s6", "\"id\":\"6\",\"prev-id\":\"5\"");
        for (StreamClient s : streams) {
            await().atMost(Duration.ofSeconds(10)).until(() -> s.lines("s").size() >= 5);
            assertThat(s.lines("s")).containsExactly("s1", "s2", "s3", "s5", "s6");
        }
        close(streams);
    }

    @Test
    void aNodeUnsubscribesAfterTheLingerAndTheInspectorShowsTheBus() throws Exception {
        StreamClient s = new StreamClient(http(0), "gone");
        s.awaitOpened();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> redis.numsub("outpost:0:gone").get("outpost:0:gone") == 1);
        s.close();
        BusStatus b = nodes.get(0).proxy().hub().bus().orElseThrow();
        assertThat(b.uri()).isEqualTo("redis://127.0.0.1:" + redis.port() + "/0");
        assertThat(b.connected()).isTrue();
        // subscription_linger is 60 s by default: still subscribed right after
        Thread.sleep(300);
        assertThat(redis.numsub("outpost:0:gone")).isEqualTo(Map.of("outpost:0:gone", 1L));
    }
}
