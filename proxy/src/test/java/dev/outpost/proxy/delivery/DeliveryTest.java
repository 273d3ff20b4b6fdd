package dev.outpost.proxy.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.outpost.proxy.OutpostProxy;
import dev.outpost.proxy.config.ProxyConfig;
import dev.outpost.proxy.pubsub.Drops;
import dev.outpost.proxy.pubsub.LocalChannelHub;
import dev.outpost.proxy.route.RouteTable;
import dev.outpost.proxy.route.RoutesParser;
import dev.outpost.proxy.support.LeakGuard;
import dev.outpost.proxy.support.ProxyHarness;
import dev.outpost.proxy.support.RawHttp;
import dev.outpost.testkit.TestOrigin;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Delivery rules end to end: a real origin that counts requests and sees {@code Grip-Last}, real publishes over the
 * publish API, raw client sockets.
 */
@ExtendWith(LeakGuard.class)
@Timeout(60)
class DeliveryTest extends DeliveryFixture {
    /** The proxy's hub, made here so that the test can see its waiting items. */
    LocalChannelHub hub;

    /** The proxy first, then its hub (this runs before the fixture closes the origin). */
    @AfterEach
    void stopHub() {
        if (proxy != null) {
            proxy.close();
            proxy = null;
        }
        if (hub != null) {
            hub.close();
        }
    }

    private void start(UnaryOperator<ProxyConfig.Builder> cfg) throws Exception {
        ProxyConfig config = cfg.apply(
                        ProxyConfig.builder().httpPort(0).publishPort(0).updateOnFirstSubscription(false))
                .build();
        Drops drops = new Drops(new SimpleMeterRegistry());
        hub = new LocalChannelHub(LocalChannelHub.Settings.from(config), drops);
        proxy = OutpostProxy.start(
                config, RouteTable.of(RoutesParser.parse("* 127.0.0.1:" + origin.port() + "\n", "test")), hub, drops);
    }

    private void start() throws Exception {
        start(b -> b);
    }

    private static String response(String channel, String body, String extra) {
        return "{\"channel\":\"" + channel + "\"" + extra + ",\"formats\":{\"http-response\":{\"body\":\""
                + body.replace("\n", "\\n") + "\"}}}";
    }

    private static String close(String channel) {
        return "{\"channel\":\"" + channel + "\",\"no-seq\":true,\"formats\":{\"http-stream\":{\"action\":\"close\"}}}";
    }

    /** Reads chunks until the stream ends; returns everything after the head. */
    private static String rest(RawHttp c) throws IOException {
        StringBuilder sb = new StringBuilder();
        String s;
        while ((s = c.readChunkText()) != null) {
            sb.append(s);
        }
        return sb.toString();
    }

    private static String readUntil(RawHttp c, String suffix) throws IOException {
        StringBuilder sb = new StringBuilder();
        while (!sb.toString().endsWith(suffix)) {
            String s = c.readChunkText();
            if (s == null) {
                break;
            }
            sb.append(s);
        }
        return sb.toString();
    }

    // ---- ordering and de-dup ----

    @Test
    void duplicateIdsAreDroppedWithinTheIdCacheTtl() throws Exception {
        start(b -> b.idCacheTtlSeconds(60));
        hold("/dd", "stream", "dd", "first\n");
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            c.send(RawHttp.get("/dd")).readHead();
            assertThat(c.readChunkText()).isEqualTo("first\n");
            awaitSubscribers("dd", 1);
            publish(stream("dd", "a\n", ",\"id\":\"m1\""));
            publish(stream("dd", "again\n", ",\"id\":\"m1\""));
            publish(stream("dd", "b\n", ",\"id\":\"m2\""));
            publish(close("dd"));
            assertThat(rest(c)).isEqualTo("a\nb\n");
        }
        assertThat(proxy.drops().count("duplicate_id")).isEqualTo(1);
    }

    @Test
    void outOfOrderItemsAreReleasedInChainOrder() throws Exception {
        start();
        hold("/oo", "stream", "oo", "");
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            c.send(RawHttp.get("/oo")).readHead();
            awaitSubscribers("oo", 1);
            publish(stream("oo", "1\n", ",\"id\":\"1\""));
            assertThat(c.readChunkText()).isEqualTo("1\n");
            publish(stream("oo", "4\n", ",\"id\":\"4\",\"prev-id\":\"3\""));
            publish(stream("oo", "3\n", ",\"id\":\"3\",\"prev-id\":\"2\""));
            await().atMost(Duration.ofSeconds(5)).until(() -> hub.parkedCount("oo") == 2);
            publish(stream("oo", "2\n", ",\"id\":\"2\",\"prev-id\":\"1\""));
            assertThat(readUntil(c, "4\n")).isEqualTo("2\n3\n4\n");
            assertThat(proxy.hub().lastId("oo")).isEqualTo("4");
            publish(close("oo"));
            assertThat(c.readChunk()).isNull();
        }
    }

    @Test
    void aMissingPredecessorIsGivenUpAfterMessageWait() throws Exception {
        start(b -> b.messageWaitMs(600));
        hold("/mp", "stream", "mp", "");
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            c.send(RawHttp.get("/mp")).readHead();
            awaitSubscribers("mp", 1);
            publish(stream("mp", "1\n", ",\"id\":\"1\""));
            assertThat(c.readChunkText()).isEqualTo("1\n");
            long t0 = System.nanoTime();
            publish(stream("mp", "3\n", ",\"id\":\"3\",\"prev-id\":\"2\""));
            assertThat(c.readChunkText()).isEqualTo("3\n");
            assertThat((System.nanoTime() - t0) / 1_000_000).isBetween(450L, 5_000L);
        }
    }

    @Test
    void noSeqBypassesSequencing() throws Exception {
        start();
        hold("/ns", "stream", "ns", "");
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            c.send(RawHttp.get("/ns")).readHead();
            awaitSubscribers("ns", 1);
            publish(stream("ns", "1\n", ",\"id\":\"1\""));
            assertThat(c.readChunkText()).isEqualTo("1\n");
            publish(stream("ns", "x\n", ",\"id\":\"9\",\"prev-id\":\"8\",\"no-seq\":true"));
            assertThat(c.readChunkText()).isEqualTo("x\n");
            assertThat(hub.parkedCount("ns")).isZero();
        }
    }

    // ---- long-polls with prev-id ----

    @Test
    void longPollWithAStalePrevIdIsRetriedAtOnceWithGripLast() throws Exception {
        start();
        hold("/watch", "stream", "pc", "");
        origin.on("/lp", ex -> {
            if (ex.getRequestHeaders().getFirst("Grip-Last") != null) {
                TestOrigin.respond(ex, 200, "text/plain", "caught up\n");
            } else {
                ex.getResponseHeaders().add("Grip-Hold", "response");
                ex.getResponseHeaders().add("Grip-Channel", "pc; prev-id=x0");
                TestOrigin.respond(ex, 200, "text/plain", "timeout\n");
            }
        });
        try (RawHttp w = new RawHttp(proxy.httpPort());
                RawHttp c = new RawHttp(proxy.httpPort())) {
            w.send(RawHttp.get("/watch")).readHead();
            awaitSubscribers("pc", 1);
            publish(stream("pc", "x\n", ",\"id\":\"x1\""));
            assertThat(w.readChunkText()).isEqualTo("x\n");
            origin.take();
            RawHttp.Response r = c.send(RawHttp.get("/lp")).read();
            assertThat(r.text()).isEqualTo("caught up\n");
            assertThat(origin.take().header("Grip-Last")).isNull();
            assertThat(origin.take().header("Grip-Last")).isEqualTo("pc; last-id=x0");
        }
    }

    @Test
    void longPollGetsAnItemThatContinuesItsPrevId() throws Exception {
        start();
        hold("/lpm", "response", "pm; prev-id=p1", "timeout\n");
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            c.send(RawHttp.get("/lpm"));
            awaitSubscribers("pm", 1);
            publish(response("pm", "next\n", ",\"id\":\"p2\",\"prev-id\":\"p1\""));
            assertThat(c.read().text()).isEqualTo("next\n");
        }
    }

    @Test
    void longPollRetriesInsteadOfDeliveringAnItemThatDoesNotContinueItsPrevId() throws Exception {
        start();
        AtomicInteger n = new AtomicInteger();
        origin.on("/lpx", ex -> {
            if (n.incrementAndGet() == 1) {
                ex.getResponseHeaders().add("Grip-Hold", "response");
                ex.getResponseHeaders().add("Grip-Channel", "px; prev-id=\"p 1\"");
                TestOrigin.respond(ex, 200, "text/plain", "timeout\n");
            } else {
                TestOrigin.respond(ex, 200, "text/plain", "from origin\n");
            }
        });
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            c.send(RawHttp.get("/lpx"));
            awaitSubscribers("px", 1);
            publish(response("px", "no prev-id\n", ""));
            assertThat(c.read().text()).isEqualTo("from origin\n");
            origin.take();
            assertThat(origin.take().header("Grip-Last")).isEqualTo("px; last-id=p 1");
        }
    }

    @Test
    void hintMakesALongPollAskTheOriginAgain() throws Exception {
        start();
        AtomicInteger n = new AtomicInteger();
        origin.on("/hint", ex -> {
            if (n.incrementAndGet() == 1) {
                ex.getResponseHeaders().add("Grip-Hold", "response");
                ex.getResponseHeaders().add("Grip-Channel", "hint");
                TestOrigin.respond(ex, 200, "text/plain", "timeout\n");
            } else {
                TestOrigin.respond(ex, 200, "text/plain", "fresh\n");
            }
        });
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            c.send("POST /hint HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n\r\nhello");
            awaitSubscribers("hint", 1);
            publish("{\"channel\":\"hint\",\"formats\":{\"http-response\":{\"action\":\"hint\"}}}");
            assertThat(c.read().text()).isEqualTo("fresh\n");
            assertThat(origin.take().bodyText()).isEqualTo("hello");
            TestOrigin.Seen again = origin.take();
            assertThat(again.method()).isEqualTo("POST");
            assertThat(again.bodyText()).isEqualTo("hello");
            assertThat(again.header("Grip-Feature")).contains("link:next");
        }
    }

    @Test
    void aPublishBeforeTheHoldRegistersIsCaughtUpByUpdateOnFirstSubscription() throws Exception {
        proxy = ProxyHarness.start(
                "* 127.0.0.1:" + origin.port() + "\n",
                b -> b.updateOnFirstSubscription(true).setting("handler/update_on_first_subscription", "true"));
        AtomicInteger n = new AtomicInteger();
        origin.on("/race", ex -> {
            if (n.incrementAndGet() == 1) {
                // the item goes out while this answer is still on its way: nobody is subscribed yet
                try {
                    publish(response("race", "lost\n", ""));
                } catch (Exception e) {
                    throw new IOException(e);
                }
                ex.getResponseHeaders().add("Grip-Hold", "response");
                ex.getResponseHeaders().add("Grip-Channel", "race");
                TestOrigin.respond(ex, 200, "text/plain", "timeout\n");
            } else {
                TestOrigin.respond(ex, 200, "text/plain", "the item, from the origin\n");
            }
        });
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            RawHttp.Response r = c.send(RawHttp.get("/race")).read();
            assertThat(r.text()).isEqualTo("the item, from the origin\n");
            assertThat(n.get()).isEqualTo(2);
        }
    }

    @Test
    void recoverUpdatesEverySession() throws Exception {
        start();
        AtomicInteger n = new AtomicInteger();
        origin.on("/rec", ex -> {
            if (n.incrementAndGet() == 1) {
                ex.getResponseHeaders().add("Grip-Hold", "response");
                ex.getResponseHeaders().add("Grip-Channel", "rec; prev-id=r1");
                TestOrigin.respond(ex, 200, "text/plain", "timeout\n");
            } else {
                TestOrigin.respond(ex, 200, "text/plain", "recovered\n");
            }
        });
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            c.send(RawHttp.get("/rec"));
            awaitSubscribers("rec", 1);
            HttpResponse<String> r = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.publishPort() + "/recover"))
                                    .POST(HttpRequest.BodyPublishers.noBody())
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(r.body()).isEqualTo("Updated\n");
            assertThat(c.read().text()).isEqualTo("recovered\n");
            origin.take();
            assertThat(origin.take().header("Grip-Last")).isEqualTo("rec; last-id=r1");
        }
    }

    // ---- next and gone links ----

    @Test
    void nextLinkIsFetchedAfterTheBodyAndItsInstructionsTakeOver() throws Exception {
        start();
        origin.on("/page1", ex -> {
            ex.getResponseHeaders().add("Grip-Link", "</page2>; rel=next");
            TestOrigin.respond(ex, 200, "text/plain", "page1\n");
        });
        hold("/page2", "stream", "nl", "page2\n");
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            RawHttp.Response head = c.send(RawHttp.get("/page1")).readHead();
            assertThat(head.chunked()).isTrue();
            assertThat(readUntil(c, "page2\n")).isEqualTo("page1\npage2\n");
            awaitSubscribers("nl", 1);
            publish(stream("nl", "live\n", ""));
            assertThat(c.readChunkText()).isEqualTo("live\n");
            publish(close("nl"));
            assertThat(c.readChunk()).isNull();
        }
        origin.take();
        TestOrigin.Seen next = origin.take();
        assertThat(next.uri()).isEqualTo("/page2");
        assertThat(next.method()).isEqualTo("GET");
        assertThat(next.header("Host")).isEqualTo("localhost");
        assertThat(next.header("Grip-Last")).isNull();
    }

    @Test
    void aGapInAStreamIsHealedThroughTheNextLink() throws Exception {
        start();
        List<String> gripLast = new CopyOnWriteArrayList<>();
        origin.on("/sse", ex -> {
            ex.getResponseHeaders().add("Grip-Hold", "stream");
            ex.getResponseHeaders().add("Grip-Channel", "gap; prev-id=a1");
            ex.getResponseHeaders().add("Grip-Link", "</sse/next>; rel=next");
            TestOrigin.respond(ex, 200, "text/plain", "a1\n");
        });
        origin.on("/sse/next", ex -> {
            gripLast.add(String.valueOf(ex.getRequestHeaders().getFirst("Grip-Last")));
            ex.getResponseHeaders().add("Grip-Hold", "stream");
            ex.getResponseHeaders().add("Grip-Channel", "gap; prev-id=a3");
            ex.getResponseHeaders().add("Grip-Link", "</sse/next>; rel=next");
            TestOrigin.respond(ex, 200, "text/plain", "a2\na3\n");
        });
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            c.send(RawHttp.get("/sse")).readHead();
            assertThat(c.readChunkText()).isEqualTo("a1\n");
            awaitSubscribers("gap", 1);
            // a2 was lost: a3 does not follow a1
            publish(stream("gap", "a3\n", ",\"id\":\"a3\",\"prev-id\":\"a2\",\"no-seq\":true"));
            assertThat(c.readChunkText()).isEqualTo("a2\na3\n");
            assertThat(gripLast).containsExactly("gap; last-id=a1");
            publish(stream("gap", "a4\n", ",\"id\":\"a4\",\"prev-id\":\"a3\""));
            assertThat(c.readChunkText()).isEqualTo("a4\n");
        }
    }

    @Test
    void streamHintFetchesTheNextLink() throws Exception {
        start();
        AtomicInteger nexts = new AtomicInteger();
        hold("/sh", "stream", "sh", "", "Grip-Link", "</sh/next>; rel=next");
        origin.on("/sh/next", ex -> {
            nexts.incrementAndGet();
            ex.getResponseHeaders().add("Grip-Hold", "stream");
            ex.getResponseHeaders().add("Grip-Channel", "sh");
            ex.getResponseHeaders().add("Grip-Link", "</sh/next>; rel=next");
            TestOrigin.respond(ex, 200, "text/plain", "caught up\n");
        });
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            c.send(RawHttp.get("/sh")).readHead();
            awaitSubscribers("sh", 1);
            publish("{\"channel\":\"sh\",\"formats\":{\"http-stream\":{\"action\":\"hint\"}}}");
            assertThat(c.readChunkText()).isEqualTo("caught up\n");
            assertThat(nexts.get()).isEqualTo(1);
        }
    }

    @Test
    void nextLinkIsRetriedWithBackoff() throws Exception {
        start();
        AtomicInteger tries = new AtomicInteger();
        origin.on("/r1", ex -> {
            ex.getResponseHeaders().add("Grip-Link", "</r2>; rel=next");
            TestOrigin.respond(ex, 200, "text/plain", "one\n");
        });
        origin.on("/r2", ex -> {
            if (tries.incrementAndGet() == 1) {
                TestOrigin.respond(ex, 503, "text/plain", "busy\n");
            } else {
                TestOrigin.respond(ex, 200, "text/plain", "two\n");
            }
        });
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            c.send(RawHttp.get("/r1")).readHead();
            long t0 = System.nanoTime();
            assertThat(rest(c)).isEqualTo("one\ntwo\n");
            assertThat((System.nanoTime() - t0) / 1_000_000).isGreaterThanOrEqualTo(900);
            assertThat(tries.get()).isEqualTo(2);
        }
    }

    @Test
    void nextLinkIsFetchedAgainWhenChannelsStaySilentPastItsTimeout() throws Exception {
        start();
        AtomicInteger nexts = new AtomicInteger();
        hold("/st", "stream", "st", "", "Grip-Link", "</st/next>; rel=next; timeout=1");
        origin.on("/st/next", ex -> {
            ex.getResponseHeaders().add("Grip-Hold", "stream");
            ex.getResponseHeaders().add("Grip-Channel", "st");
            ex.getResponseHeaders().add("Grip-Link", "</st/next>; rel=next; timeout=1");
            TestOrigin.respond(ex, 200, "text/plain", "poll " + nexts.incrementAndGet() + "\n");
        });
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            c.send(RawHttp.get("/st")).readHead();
            assertThat(c.readChunkText()).isEqualTo("poll 1\n");
            assertThat(c.readChunkText()).isEqualTo("poll 2\n");
        }
    }

    @Test
    void goneLinkIsPostedWhenTheClientLeaves() throws Exception {
        start();
        hold("/g", "stream", "g", "hi\n", "Grip-Link", "</g/gone>; rel=gone");
        origin.on("/g/gone", ex -> TestOrigin.respond(ex, 200, "text/plain", ""));
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            c.send(RawHttp.get("/g")).readHead();
            awaitSubscribers("g", 1);
        }
        origin.take();
        TestOrigin.Seen gone = origin.take();
        assertThat(gone.method()).isEqualTo("POST");
        assertThat(gone.uri()).isEqualTo("/g/gone");
        assertThat(gone.body()).isEmpty();
    }

    @Test
    void streamWithPrevIdButNoNextLinkEnds() throws Exception {
        start();
        hold("/nolink", "stream", "nolink; prev-id=1", "x\n");
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            c.send(RawHttp.get("/nolink")).readHead();
            assertThat(rest(c)).isEqualTo("x\n");
        }
    }
}
