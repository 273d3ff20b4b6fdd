package dev.outpost.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.proxy.support.LeakGuard;
import dev.outpost.proxy.support.ProxyHarness;
import dev.outpost.proxy.support.Publisher;
import dev.outpost.proxy.support.RawHttp;
import dev.outpost.testkit.TestOrigin;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** GRIP instructions from a real origin, delivered by real publishes. */
@ExtendWith(LeakGuard.class)
@Timeout(60)
class GripHoldTest {
    TestOrigin origin;
    OutpostProxy proxy;

    @BeforeEach
    void start() throws Exception {
        origin = new TestOrigin();
        proxy = ProxyHarness.start("* 127.0.0.1:" + origin.port() + "\n");
    }

    @AfterEach
    void stop() {
        proxy.close();
        origin.close();
    }

    private void holdOn(String path, String mode, String channel, String body, String... extra) {
        origin.hold(path, mode, channel, body, extra);
    }

    private void awaitSubscribers(String channel, int n) {
        ProxyHarness.awaitSubscribers(proxy, channel, n);
    }

    @Test
    void publishedResponseAnswersTheLongPollAndMergesHeaders() throws Exception {
        holdOn("/lp", "response", "lp", "timeout body\n", "X-Held", "a", "X-Both", "held");
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            c.send(RawHttp.get("/lp"));
            awaitSubscribers("lp", 1);
            var r = Publisher.publish(
                    proxy.publishPort(),
                    "{\"items\":[{\"channel\":\"lp\",\"formats\":{\"http-response\":"
                            + "{\"code\":201,\"headers\":{\"X-Both\":\"pub\",\"Content-Type\":\"application/json\"},"
                            + "\"body\":\"{}\\n\"}}}]}");
            assertThat(r.statusCode()).isEqualTo(200);
            RawHttp.Response got = c.read();
            assertThat(got.status()).isEqualTo(201);
            assertThat(got.header("X-Held")).isEqualTo("a");
            assertThat(got.header("X-Both")).isEqualTo("pub");
            assertThat(got.header("Content-Type")).isEqualTo("application/json");
            assertThat(got.headers()).noneMatch(h -> h.getKey().regionMatches(true, 0, "Grip-", 0, 5));
            assertThat(got.text()).isEqualTo("{}\n");
        }
        awaitSubscribers("lp", 0);
    }

    @Test
    void aPublishedResponseThatCantBeSentLeavesTheRequestHeld() throws Exception {
        holdOn("/inv", "response", "inv", "t");
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            c.send(RawHttp.get("/inv"));
            awaitSubscribers("inv", 1);
            Publisher.publish(
                    proxy.publishPort(),
                    "{\"items\":[{\"channel\":\"inv\",\"formats\":{\"http-response\":"
                            + "{\"headers\":{\"X-Bad\":\"a\\r\\nInjected: 1\"},\"body\":\"bad\"}}}]}");
            Publisher.publishText(proxy.publishPort(), "inv", "good");
            RawHttp.Response r = c.read();
            assertThat(r.text()).isEqualTo("good");
            assertThat(r.has("Injected")).isFalse();
        }
    }

    @Test
    void timedOutLongPollGetsTheOriginsResponse() throws Exception {
        holdOn("/to", "response", "to", "nothing yet\n", "Grip-Timeout", "5", "X-Kept", "1");
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            long t0 = System.nanoTime();
            RawHttp.Response got = c.send(RawHttp.get("/to")).read();
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertThat(ms).isGreaterThanOrEqualTo(4_500);
            assertThat(got.status()).isEqualTo(200);
            assertThat(got.header("X-Kept")).isEqualTo("1");
            assertThat(got.has("Grip-Timeout")).isFalse();
            assertThat(got.text()).isEqualTo("nothing yet\n");
        }
        awaitSubscribers("to", 0);
    }

    @Test
    void streamSendsTheInitialBodyThenPublishedContentUntilClose() throws Exception {
        holdOn("/s", "stream", "s", "start\n");
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            RawHttp.Response head = c.send(RawHttp.get("/s")).readHead();
            assertThat(head.chunked()).isTrue();
            assertThat(head.has("Content-Length")).isFalse();
            assertThat(head.has("Grip-Hold")).isFalse();
            assertThat(c.readChunkText()).isEqualTo("start\n");
            awaitSubscribers("s", 1);
            Publisher.publishText(proxy.publishPort(), "s", "one\n");
            assertThat(c.readChunkText()).isEqualTo("one\n");
            Publisher.publishText(proxy.publishPort(), "s", "two\n");
            assertThat(c.readChunkText()).isEqualTo("two\n");
            Publisher.publish(
                    proxy.publishPort(),
                    "{\"items\":[{\"channel\":\"s\",\"formats\":{\"http-stream\":{\"action\":\"close\"}}}]}");
            assertThat(c.readChunk()).isNull();
            awaitSubscribers("s", 0);
            // ended cleanly: the connection carries another request
            origin.on("/after", ex -> TestOrigin.respond(ex, 200, "text/plain", "after"));
            assertThat(c.send(RawHttp.get("/after")).read().text()).isEqualTo("after");
        }
    }

    @Test
    void streamsWithAndWithoutFiltersOnOneChannelEachGetTheirOwnChunks() throws Exception {
        // the plain stream writes the hub's shared chunk; the filtered one frames its own content
        holdOn("/plain", "stream", "mix", "");
        holdOn("/subst", "stream", "mix; filter=var-subst", "", "Grip-Set-Meta", "name=\"Ann\"");
        String big = "x".repeat(70_000) + "\u00e9";
        try (RawHttp plain = new RawHttp(proxy.httpPort());
                RawHttp subst = new RawHttp(proxy.httpPort())) {
            plain.send(RawHttp.get("/plain")).readHead();
            subst.send(RawHttp.get("/subst")).readHead();
            awaitSubscribers("mix", 2);
            Publisher.publishItems(
                    proxy.publishPort(),
                    Publisher.streamItem("mix", "hi %(name)s", "")
                            + "," + "{\"channel\":\"mix\",\"formats\":{\"http-stream\":"
                            + "{\"content\":\"only %(name)s\",\"content-filters\":[\"var-subst\"]}}}"
                            + "," + Publisher.streamItem("mix", big, ""));
            assertThat(plain.readChunkText()).isEqualTo("hi %(name)s");
            assertThat(plain.readChunkText()).isEqualTo(big);
            assertThat(subst.readChunkText()).isEqualTo("hi Ann");
            assertThat(subst.readChunkText()).isEqualTo("only Ann");
            assertThat(subst.readChunkText()).isEqualTo(big);
            Publisher.publish(
                    proxy.publishPort(),
                    "{\"items\":[{\"channel\":\"mix\",\"formats\":{\"http-stream\":{\"action\":\"close\"}}}]}");
            assertThat(plain.readChunk()).isNull();
            assertThat(subst.readChunk()).isNull();
            // the encoder's state survived the chunks written past it: the connection carries another request
            origin.on("/after", ex -> TestOrigin.respond(ex, 200, "text/plain", "after"));
            assertThat(plain.send(RawHttp.get("/after")).read().text()).isEqualTo("after");
        }
        awaitSubscribers("mix", 0);
    }

    @Test
    void streamKeepAliveIsSentWhenIdle() throws Exception {
        holdOn("/ka", "stream", "ka", "", "Grip-Keep-Alive", "ping\\n; format=cstring; timeout=1");
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            c.send(RawHttp.get("/ka")).readHead();
            assertThat(c.readChunkText()).isEqualTo("ping\n");
            assertThat(c.readChunkText()).isEqualTo("ping\n");
        }
    }

    @Test
    void streamKeepAliveIntervalModeIsSent() throws Exception {
        holdOn("/kai", "stream", "kai", "", "Grip-Keep-Alive", "ka; timeout=1; mode=interval");
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            c.send(RawHttp.get("/kai")).readHead();
            awaitSubscribers("kai", 1);
            Publisher.publishText(proxy.publishPort(), "kai", "data");
            // The first keep-alive may come before the data: its period has up to 1 s of jitter taken off.
            String chunk = c.readChunkText();
            while (!"data".equals(chunk)) {
                assertThat(chunk).isEqualTo("ka");
                chunk = c.readChunkText();
            }
            // Interval mode keeps sending after output, too.
            assertThat(c.readChunkText()).isEqualTo("ka");
        }
    }

    @Test
    void closingTheProxyEndsHeldRequestsCleanly() throws Exception {
        holdOn("/end-lp", "response", "end-lp", "bye\n");
        holdOn("/end-s", "stream", "end-s", "s\n");
        try (RawHttp lp = new RawHttp(proxy.httpPort());
                RawHttp st = new RawHttp(proxy.httpPort());
                RawHttp idle = new RawHttp(proxy.httpPort())) {
            lp.send(RawHttp.get("/end-lp"));
            st.send(RawHttp.get("/end-s")).readHead();
            assertThat(st.readChunkText()).isEqualTo("s\n");
            awaitSubscribers("end-lp", 1);
            awaitSubscribers("end-s", 1);
            proxy.close();
            RawHttp.Response r = lp.read();
            assertThat(r.text()).isEqualTo("bye\n");
            assertThat(r.header("Connection")).isEqualTo("close");
            assertThat(st.readChunk()).isNull();
            assertThat(st.closedByPeer()).isTrue();
            assertThat(idle.closedByPeer()).isTrue();
        }
    }

    @Test
    void gripStatusOverridesTheStatusLine() throws Exception {
        origin.on("/st", ex -> {
            ex.getResponseHeaders().add("Grip-Status", "418 Short And Stout");
            TestOrigin.respond(ex, 200, "text/plain", "teapot\n");
        });
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            RawHttp.Response r = c.send(RawHttp.get("/st")).read();
            assertThat(r.statusLine()).isEqualTo("HTTP/1.1 418 Short And Stout");
            assertThat(r.has("Grip-Status")).isFalse();
            assertThat(r.text()).isEqualTo("teapot\n");
        }
    }

    @Test
    void invalidInstructionIs502() throws Exception {
        holdOn("/bad", "sometimes", "b", "x");
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            RawHttp.Response r = c.send(RawHttp.get("/bad")).read();
            assertThat(r.status()).isEqualTo(502);
            assertThat(r.text()).isEqualTo("Error while proxying to origin.\n");
        }
    }

    @Test
    void invalidInstructionInDebugShowsTheParseError() throws Exception {
        holdOn("/bad", "sometimes", "b", "x");
        try (OutpostProxy p = ProxyHarness.start("* 127.0.0.1:" + origin.port() + "\n", b -> b.debug(true));
                RawHttp c = new RawHttp(p.httpPort())) {
            RawHttp.Response r = c.send(RawHttp.get("/bad")).read();
            assertThat(r.status()).isEqualTo(502);
            assertThat(r.text()).contains("Grip-Hold").contains("sometimes");
        }
    }

    @Test
    void instructionBodyPastTheBufferIs502() throws Exception {
        holdOn("/big", "response", "big", "x".repeat(100_001));
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            RawHttp.Response r = c.send(RawHttp.get("/big")).read();
            assertThat(r.status()).isEqualTo(502);
        }
        assertThat(proxy.hub().subscriberCount("big")).isZero();
    }

    @Test
    void streamWithALargeInitialBodyIsStreamedThrough() throws Exception {
        String big = "i".repeat(300_000);
        holdOn("/bigstream", "stream", "bs", big, "Grip-Status", "203");
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            RawHttp.Response head = c.send(RawHttp.get("/bigstream")).readHead();
            assertThat(head.status()).isEqualTo(203);
            assertThat(head.chunked()).isTrue();
            assertThat(head.has("Grip-Hold")).isFalse();
            assertThat(head.has("Grip-Status")).isFalse();
            StringBuilder got = new StringBuilder();
            while (got.length() < big.length()) {
                got.append(c.readChunkText());
            }
            assertThat(got.toString()).isEqualTo(big);
            awaitSubscribers("bs", 1);
            Publisher.publishText(proxy.publishPort(), "bs", "after\n");
            assertThat(c.readChunkText()).isEqualTo("after\n");
        }
        awaitSubscribers("bs", 0);
    }

    @Test
    void originBreakingInsideAStreamedInitialBodyCutsTheClient() throws Exception {
        origin.on("/bigbreak", ex -> {
            ex.getResponseHeaders().add("Grip-Hold", "stream");
            ex.getResponseHeaders().add("Grip-Channel", "bb");
            ex.sendResponseHeaders(200, 300_000);
            OutputStream out = ex.getResponseBody();
            out.write(new byte[200_000]);
            out.flush();
            throw new IOException("drop");
        });
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            RawHttp.Response head = c.send(RawHttp.get("/bigbreak")).readHead();
            assertThat(head.status()).isEqualTo(200);
            byte[] rest = c.input().readAllBytes();
            assertThat(new String(rest, StandardCharsets.ISO_8859_1)).doesNotEndWith("0\r\n\r\n");
        }
        assertThat(proxy.hub().subscriberCount("bb")).isZero();
    }

    @Test
    void requestBodyPastTheBufferCannotBeHeld() throws Exception {
        origin.on("/post-hold", ex -> {
            ex.getResponseHeaders().add("Grip-Hold", "response");
            ex.getResponseHeaders().add("Grip-Channel", "ph");
            TestOrigin.respond(ex, 200, "text/plain", "x");
        });
        String body = "y".repeat(100_001);
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            RawHttp.Response r = c.send("POST /post-hold HTTP/1.1\r\nHost: x\r\nContent-Length: " + body.length()
                            + "\r\n\r\n" + body)
                    .read();
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.text()).isEqualTo("Request too large to accept GRIP instruct.\n");
        }
        assertThat(proxy.hub().subscriberCount("ph")).isZero();
    }

    @Test
    void clientDisconnectUnsubscribesAtOnce() throws Exception {
        holdOn("/gone", "response", "gone", "x");
        holdOn("/gone-s", "stream", "gone-s", "x");
        RawHttp a = new RawHttp(proxy.httpPort());
        RawHttp b = new RawHttp(proxy.httpPort());
        a.send(RawHttp.get("/gone"));
        b.send(RawHttp.get("/gone-s"));
        awaitSubscribers("gone", 1);
        awaitSubscribers("gone-s", 1);
        a.close();
        b.close();
        awaitSubscribers("gone", 0);
        awaitSubscribers("gone-s", 0);
    }

    @Test
    void jsonInstructBodyHoldsWithItsOwnResponse() throws Exception {
        origin.on(
                "/json",
                ex -> TestOrigin.respond(
                        ex,
                        200,
                        "application/grip-instruct",
                        "{\"hold\":{\"mode\":\"response\",\"channels\":[{\"name\":\"j\"}],\"timeout\":5},"
                                + "\"response\":{\"code\":200,\"headers\":{\"X-J\":\"1\"},\"body\":\"json timeout\\n\"}}"));
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            c.send(RawHttp.get("/json"));
            awaitSubscribers("j", 1);
            Publisher.publishText(proxy.publishPort(), "j", "published\n");
            RawHttp.Response r = c.read();
            assertThat(r.text()).isEqualTo("published\n");
            assertThat(r.header("X-J")).isEqualTo("1");
        }
    }

    @Test
    void noHoldInstructionRelaysTheResponseWithoutGripHeaders() throws Exception {
        origin.on("/nh", ex -> {
            ex.getResponseHeaders().add("Grip-Channel", "ignored");
            TestOrigin.respond(ex, 200, "text/plain", "plain\n");
        });
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            RawHttp.Response r = c.send(RawHttp.get("/nh")).read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.has("Grip-Channel")).isFalse();
            assertThat(r.text()).isEqualTo("plain\n");
        }
    }
}
