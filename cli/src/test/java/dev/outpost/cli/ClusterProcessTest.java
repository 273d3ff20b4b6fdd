package dev.outpost.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.outpost.bus.support.Http;
import dev.outpost.bus.support.RedisServer;
import dev.outpost.bus.support.StreamClient;
import dev.outpost.testkit.FreePorts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code outpost proxy --bus} as three separate processes on one {@code redis-server}: publishes through the HTTP API,
 * {@code outpost publish} and Debian's {@code pushpin-publish} on ZeroMQ reach every node's subscribers once; the
 * bus shows in {@code /metrics}; a node killed drops only its own clients.
 */
@Timeout(180)
class ClusterProcessTest {
    @TempDir
    static Path dir;

    static RedisServer redis;
    static final List<Node> nodes = new ArrayList<>();
    static int zmqPull;

    /** One {@code outpost proxy} JVM and the ports its banner names. */
    record Node(Process process, int http, int publish, int inspector) {}

    static Node launch(String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("--bus", redis.uri(), "--route", "* test"));
        args.addAll(List.of(extra));
        ProxyProcess p = ProxyProcess.start(args.toArray(String[]::new));
        return new Node(p.process(), p.port("client"), p.port("publish"), p.port("inspector"));
    }

    @BeforeAll
    static void start() throws Exception {
        redis = RedisServer.start();
        zmqPull = FreePorts.port();
        Path conf = dir.resolve("pushpin.conf");
        Files.writeString(conf, "[handler]\npush_in_spec=tcp://127.0.0.1:" + zmqPull + "\n");
        nodes.add(launch("--config", conf.toString(), "--inspector-port", "127.0.0.1:0"));
        nodes.add(launch("--inspector-port", "off"));
        nodes.add(launch("--inspector-port", "off"));
    }

    @AfterAll
    static void stop() throws Exception {
        for (Node n : nodes) {
            n.process().destroy();
        }
        for (Node n : nodes) {
            if (!n.process().waitFor(10, TimeUnit.SECONDS)) {
                n.process().destroyForcibly();
            }
        }
        if (redis != null) {
            redis.close();
        }
    }

    static List<StreamClient> streams(String channel) throws Exception {
        List<StreamClient> out = new ArrayList<>();
        for (Node n : nodes) {
            StreamClient s = new StreamClient(n.http(), channel);
            s.awaitOpened();
            out.add(s);
        }
        String name = "outpost:0:" + channel;
        await().atMost(Duration.ofSeconds(20)).until(() -> redis.numsub(name).get(name) == nodes.size());
        return out;
    }

    @Test
    void publishesFromEveryInputReachEveryNodeOnceAndAKilledNodeDropsOnlyItsOwnClients() throws Exception {
        List<StreamClient> streams = streams("procs");

        assertThat(Http.publish(nodes.get(1).publish(), "procs", "via http", null)
                        .statusCode())
                .isEqualTo(200);
        PublishRun r =
                PublishRun.run("--spec", "http://127.0.0.1:" + nodes.get(2).publish(), "procs", "via cli");
        assertThat(r.code()).as(r.err()).isZero();
        Process pp = new ProcessBuilder("pushpin-publish", "--spec", "tcp://127.0.0.1:" + zmqPull, "procs", "via zmq")
                .redirectErrorStream(true)
                .start();
        assertThat(pp.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(pp.exitValue()).isZero();
        for (StreamClient s : streams) {
            await().atMost(Duration.ofSeconds(15))
                    .until(() -> s.lines("via zmq").size() == 1);
            assertThat(s.lines("via http")).hasSize(1);
            assertThat(s.lines("via cli")).hasSize(1);
        }

        String metrics = Http.get(nodes.get(0).inspector(), "/metrics");
        assertThat(metrics)
                .contains("outpost_bus_connected 1.0")
                .contains("outpost_bus_messages_total{direction=\"in\"}");
        String summary = Http.get(nodes.get(0).inspector(), "/api/summary");
        assertThat(summary)
                .contains("\"bus\":{\"uri\":\"redis://127.0.0.1:" + redis.port() + "/0\",\"connected\":true");

        Node killed = nodes.remove(2);
        killed.process().destroyForcibly();
        killed.process().waitFor(20, TimeUnit.SECONDS);
        StreamClient orphan = streams.remove(2);
        await().atMost(Duration.ofSeconds(10)).until(orphan::isClosed);
        assertThat(Http.publish(nodes.get(0).publish(), "procs", "after kill", null)
                        .statusCode())
                .isEqualTo(200);
        for (StreamClient s : streams) {
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> s.lines("after kill").size() == 1);
            assertThat(s.isClosed()).isFalse();
            s.close();
        }
    }
}
