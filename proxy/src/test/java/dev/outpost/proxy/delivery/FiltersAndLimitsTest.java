package dev.outpost.proxy.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.outpost.proxy.config.ProxyConfig;
import dev.outpost.proxy.support.LeakGuard;
import dev.outpost.proxy.support.ProxyHarness;
import dev.outpost.proxy.support.RawHttp;
import dev.outpost.testkit.TestOrigin;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Subscription meta and filters, grip-instruct bodies, body-patch, and the limits that drop messages. */
@ExtendWith(LeakGuard.class)
@Timeout(60)
class FiltersAndLimitsTest extends DeliveryFixture {
    private void start(UnaryOperator<ProxyConfig.Builder> cfg) throws Exception {
        proxy = ProxyHarness.start("* 127.0.0.1:" + origin.port() + "\n", cfg);
    }

    @Test
    void skipSelfAndSkipUsersUseSubscriptionMeta() throws Exception {
        start(b -> b);
        hold("/me", "stream", "room; filter=skip-self; filter=skip-users", "", "Grip-Set-Meta", "user=\"alice\"");
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            c.send(RawHttp.get("/me")).readHead();
            awaitSubscribers("room", 1);
            publish(stream("room", "mine\n", ",\"meta\":{\"sender\":\"alice\"}"));
            publish(stream("room", "skipped\n", ",\"meta\":{\"sender\":\"bob\",\"skip_users\":\"carol, alice\"}"));
            publish(stream("room", "bob's\n", ",\"meta\":{\"sender\":\"bob\"}"));
            assertThat(c.readChunkText()).isEqualTo("bob's\n");
        }
    }

    @Test
    void requireSubAndVarSubst() throws Exception {
        start(b -> b);
        hold("/rs", "stream", "a; filter=require-sub; filter=var-subst, b", "", "Grip-Set-Meta", "name=\"Ann\"");
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            c.send(RawHttp.get("/rs")).readHead();
            awaitSubscribers("a", 1);
            publish(stream("a", "no\n", ",\"meta\":{\"require_sub\":\"zzz\"}"));
            publish("{\"channel\":\"a\",\"meta\":{\"require_sub\":\"b\"},\"formats\":{\"http-stream\":"
                    + "{\"content\":\"hi %(name)s, 100%%\\n\",\"content-filters\":[\"var-subst\"]}}}");
            assertThat(c.readChunkText()).isEqualTo("hi Ann, 100%\n");
            // prepared for other filters than the subscription's: skipped
            publish("{\"channel\":\"a\",\"formats\":{\"http-stream\":{\"content\":\"x\\n\","
                    + "\"content-filters\":[\"build-id\"]}}}");
            publish(stream("a", "plain\n", ""));
            assertThat(c.readChunkText()).isEqualTo("plain\n");
        }
    }

    @Test
    void buildIdRendersTheSessionsLastIds() throws Exception {
        start(b -> b);
        origin.on("/bi", ex -> {
            ex.getResponseHeaders().add("Grip-Hold", "stream");
            ex.getResponseHeaders().add("Grip-Channel", "bi; prev-id=1; filter=build-id");
            ex.getResponseHeaders().add("Grip-Link", "</bi/next>; rel=next");
            ex.getResponseHeaders().add("Grip-Set-Meta", "id_format=\"bi:%(bi)s\"");
            TestOrigin.respond(ex, 200, "text/plain", "");
        });
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            c.send(RawHttp.get("/bi")).readHead();
            awaitSubscribers("bi", 1);
            publish(stream("bi", "id: %I\n", ",\"id\":\"2\",\"prev-id\":\"1\""));
            // as Pushpin, the ID is rendered from the session's IDs before this item moves them on
            assertThat(c.readChunkText()).isEqualTo("id: bi:1\n");
        }
    }

    @Test
    void gripInstructBodyIsFullyApplied() throws Exception {
        start(b -> b);
        origin.on(
                "/gi",
                ex -> TestOrigin.respond(
                        ex,
                        200,
                        "application/grip-instruct",
                        "{\"hold\":{\"mode\":\"response\",\"channels\":[{\"name\":\"gi\",\"filters\":[\"skip-self\"]}],"
                                + "\"timeout\":30,\"meta\":{\"user\":\"me\"}},"
                                + "\"response\":{\"code\":202,\"headers\":{\"X-From\":\"instruct\"},\"body\":\"timeout\\n\"}}"));
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            c.send(RawHttp.get("/gi"));
            awaitSubscribers("gi", 1);
            publish(
                    "{\"channel\":\"gi\",\"meta\":{\"sender\":\"me\"},\"formats\":{\"http-response\":{\"body\":\"own\"}}}");
            publish("{\"channel\":\"gi\",\"formats\":{\"http-response\":{\"body\":\"other\"}}}");
            RawHttp.Response r = c.read();
            assertThat(r.text()).isEqualTo("other");
            assertThat(r.header("X-From")).isEqualTo("instruct");
        }
    }

    @Test
    void gripInstructStreamWithKeepAlive() throws Exception {
        start(b -> b);
        origin.on(
                "/gis",
                ex -> TestOrigin.respond(
                        ex,
                        200,
                        "application/grip-instruct",
                        "{\"hold\":{\"mode\":\"stream\",\"channels\":[{\"name\":\"gis\"}],"
                                + "\"keep-alive\":{\"content\":\"ka\\n\",\"timeout\":1}},\"response\":{\"body\":\"open\\n\"}}"));
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            c.send(RawHttp.get("/gis")).readHead();
            assertThat(c.readChunkText()).isEqualTo("open\n");
            assertThat(c.readChunkText()).isEqualTo("ka\n");
        }
    }

    @Test
    void bodyPatchIsAppliedToTheHeldBody() throws Exception {
        start(b -> b);
        origin.on("/bp", ex -> {
            ex.getResponseHeaders().add("Grip-Hold", "response");
            ex.getResponseHeaders().add("Grip-Channel", "bp");
            TestOrigin.respond(ex, 200, "application/json", "{\"items\":[],\"n\":0}");
        });
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            c.send(RawHttp.get("/bp"));
            awaitSubscribers("bp", 1);
            publish("{\"channel\":\"bp\",\"formats\":{\"http-response\":{\"body-patch\":["
                    + "{\"op\":\"add\",\"path\":\"/items/-\",\"value\":\"x\"},"
                    + "{\"op\":\"replace\",\"path\":\"/n\",\"value\":1}]}}}");
            RawHttp.Response r = c.read();
            assertThat(r.text()).isEqualTo("{\"items\":[\"x\"],\"n\":1}");
            assertThat(r.header("Content-Type")).isEqualTo("application/json");
        }
    }

    @Test
    void aClientThatStopsReadingLosesItemsPastTheQueueAndTheDropIsReported() throws Exception {
        start(b -> b);
        hold("/slow", "stream", "slow", "");
        String big = "x".repeat(60_000);
        try (Socket s = new Socket("127.0.0.1", proxy.httpPort())) {
            s.setReceiveBufferSize(4096);
            s.getOutputStream().write(RawHttp.get("/slow").getBytes(StandardCharsets.ISO_8859_1));
            awaitSubscribers("slow", 1);
            // the client reads nothing from now on
            for (int i = 0; i < 200; i++) {
                publish(stream("slow", big, ""));
            }
            // what neither the socket nor the queue of 100 could take was dropped, and reported
            await().atMost(Duration.ofSeconds(20)).until(() -> proxy.drops().count("session_queue") >= 1);
            double dropped = proxy.drops().count("session_queue");
            publish(stream("slow", big, ""));
            await().atMost(Duration.ofSeconds(10)).until(() -> proxy.drops().count("session_queue") > dropped);
        }
        awaitSubscribers("slow", 0);
    }

    @Test
    void messageRateWithAHighWaterMarkDropsTheOverflow() throws Exception {
        start(b -> b.messageRate(2).messageHwm(3));
        hold("/rate", "stream", "rate", "");
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            c.send(RawHttp.get("/rate")).readHead();
            awaitSubscribers("rate", 1);
            StringBuilder items = new StringBuilder();
            for (int i = 0; i < 10; i++) {
                items.append(i == 0 ? "" : ",").append(stream("rate", i + "\n", ""));
            }
            publish(items.toString());
            assertThat(c.readChunkText()).isEqualTo("0\n");
            await().atMost(Duration.ofSeconds(5)).until(() -> proxy.drops().count("message_hwm") == 6);
            assertThat(c.readChunkText()).isEqualTo("1\n");
        }
    }

    @Test
    void channelsPastConnectionSubscriptionMaxAreReported() throws Exception {
        start(b -> b.connectionSubscriptionMax(2));
        hold("/many", "response", "m1, m2, m3", "t\n");
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            c.send(RawHttp.get("/many"));
            awaitSubscribers("m2", 1);
            assertThat(proxy.hub().subscriberCount("m3")).isZero();
            assertThat(proxy.drops().count("subscription_max")).isEqualTo(1);
        }
    }

    @Test
    void connectionsPastClientMaxConnAreReported() throws Exception {
        start(b -> b.clientMaxConn(1));
        origin.on("/x", ex -> TestOrigin.respond(ex, 200, "text/plain", "x"));
        try (RawHttp a = new RawHttp(proxy.httpPort());
                RawHttp b = new RawHttp(proxy.httpPort())) {
            assertThat(a.send(RawHttp.get("/x")).read().text()).isEqualTo("x");
            assertThat(b.closedByPeer()).isTrue();
            assertThat(proxy.drops().count("client_maxconn")).isEqualTo(1);
        } catch (IOException e) {
            throw e;
        }
    }
}
