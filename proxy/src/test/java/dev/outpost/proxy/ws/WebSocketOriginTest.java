package dev.outpost.proxy.ws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.grip.sig.GripSig;
import dev.outpost.proxy.OutpostProxy;
import dev.outpost.proxy.route.RouteTable;
import dev.outpost.proxy.route.RoutesParser;
import dev.outpost.proxy.support.LeakGuard;
import dev.outpost.proxy.support.ProxyHarness;
import dev.outpost.proxy.support.Publisher;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import java.net.ServerSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Real WebSocket clients through the proxy to a WebSocket origin: passthrough and GRIP mode. */
@ExtendWith(LeakGuard.class)
@Timeout(60)
class WebSocketOriginTest {
    WsOrigin origin;
    OutpostProxy proxy;

    @BeforeEach
    void start() throws Exception {
        origin = new WsOrigin();
        proxy = ProxyHarness.start(
                "* 127.0.0.1:" + origin.port() + "\n",
                b -> b.sigKey("secret".getBytes(StandardCharsets.UTF_8)).connectionSubscriptionMax(3));
    }

    @AfterEach
    void stop() {
        proxy.close();
        origin.close();
    }

    private static DefaultHttpHeaders grip(String ext) {
        DefaultHttpHeaders h = new DefaultHttpHeaders();
        h.set("Sec-WebSocket-Extensions", ext);
        return h;
    }

    private void publish(String channel, String wsMessage) throws Exception {
        var r = Publisher.publish(
                proxy.publishPort(),
                "{\"items\":[{\"channel\":\"" + channel + "\",\"formats\":{\"ws-message\":" + wsMessage + "}}]}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    @Test
    void passthroughKeepsMessagesPingsAndCloseCodes() throws Exception {
        origin.echoPrefix = "echo ";
        try (WsClient c =
                WsClient.connect(proxy.httpPort(), "/chat?room=1", "X-Custom", "yes", "protocols", "chat,superchat")) {
            FullHttpRequest hs = origin.handshake();
            assertThat(hs.uri()).isEqualTo("/chat?room=1");
            assertThat(hs.headers().get("X-Custom")).isEqualTo("yes");
            assertThat(hs.headers().get("Sec-WebSocket-Protocol")).isEqualTo("chat, superchat");
            // the client's extensions are never offered upstream; the grip one is
            assertThat(hs.headers().get("Sec-WebSocket-Extensions")).isEqualTo("grip");
            assertThat(GripSig.verify(
                            hs.headers().get("Grip-Sig"), "secret".getBytes(StandardCharsets.UTF_8), Instant.now()))
                    .isTrue();
            Channel o = origin.connection();

            c.send("hello");
            assertThat(origin.next()).isEqualTo(new WsOrigin.Got("text", "hello", 0));
            assertThat(c.nextText()).isEqualTo("echo hello");

            c.ws.sendBinary(ByteBuffer.wrap(new byte[] {1, 2, 3}), true).get(10, TimeUnit.SECONDS);
            assertThat(origin.next().kind()).isEqualTo("binary");

            c.ws.sendPing(ByteBuffer.wrap("p1".getBytes())).get(10, TimeUnit.SECONDS);
            assertThat(origin.next()).isEqualTo(new WsOrigin.Got("ping", "p1", 0));

            o.writeAndFlush(new PingWebSocketFrame(Unpooled.copiedBuffer("from origin", StandardCharsets.UTF_8)));
            WsClient.Event ping = c.next();
            assertThat(ping.kind()).isEqualTo("ping");
            assertThat(ping.text()).isEqualTo("from origin");

            // not GRIP: text starting with c: or without m: passes untouched
            WsOrigin.sendText(o, "c:{\"type\":\"detach\"}");
            assertThat(c.nextText()).isEqualTo("c:{\"type\":\"detach\"}");

            o.writeAndFlush(new CloseWebSocketFrame(4001, "origin says bye"));
            WsClient.Event close = c.nextClose();
            assertThat(close.code()).isEqualTo(4001);
            assertThat(close.text()).isEqualTo("origin says bye");
        }
    }

    @Test
    void clientCloseCodeReachesTheOriginAndItsReplyTheClient() throws Exception {
        try (WsClient c = WsClient.connect(proxy.httpPort(), "/x")) {
            origin.connection();
            c.ws.sendClose(4100, "client done").get(10, TimeUnit.SECONDS);
            assertThat(origin.next()).isEqualTo(new WsOrigin.Got("close", "client done", 4100));
            WsClient.Event close = c.nextClose();
            assertThat(close.code()).isEqualTo(4100);
        }
    }

    @Test
    void subprotocolChosenByTheOriginReachesTheClient() throws Exception {
        HttpHeaders h = new DefaultHttpHeaders()
                .set("Sec-WebSocket-Protocol", "superchat")
                .set("X-Origin", "1");
        origin.answer = r -> new WsOrigin.Answer(101, h, "");
        try (WsClient c = WsClient.connect(proxy.httpPort(), "/x", "protocols", "chat,superchat")) {
            assertThat(c.ws.getSubprotocol()).isEqualTo("superchat");
        }
    }

    @Test
    void rejectionIsRelayedWithStatusAndBody() throws Exception {
        origin.answer = r -> new WsOrigin.Answer(403, new DefaultHttpHeaders().set("X-Why", "nope"), "go away\n");
        Throwable t = WsClient.connectFailure(proxy.httpPort(), "/x");
        assertThat(t).isInstanceOf(WebSocketHandshakeException.class);
        var res = ((WebSocketHandshakeException) t).getResponse();
        assertThat(res.statusCode()).isEqualTo(403);
        assertThat(res.headers().firstValue("X-Why")).contains("nope");
        assertThat(String.valueOf(res.body())).isEqualTo("go away\n");
    }

    @Test
    void gripModePrefixControlMessagesAndPublishing() throws Exception {
        origin.answer = r -> new WsOrigin.Answer(101, grip("grip"), "");
        try (WsClient c = WsClient.connect(proxy.httpPort(), "/x")) {
            Channel o = origin.connection();
            WsOrigin.sendText(o, "no prefix: dropped");
            WsOrigin.sendText(o, "m:hello");
            assertThat(c.nextText()).isEqualTo("hello");

            WsOrigin.sendText(o, "c:{\"type\":\"subscribe\",\"channel\":\"room\"}");
            WsOrigin.sendText(o, "m:subscribed");
            assertThat(c.nextText()).isEqualTo("subscribed");
            assertThat(proxy.hub().subscriberCount("room")).isEqualTo(1);

            publish("room", "{\"content\":\"published\"}");
            assertThat(c.nextText()).isEqualTo("published");
            publish("room", "{\"content-bin\":\"AAEC\"}");
            WsClient.Event bin = c.next();
            assertThat(bin.kind()).isEqualTo("binary");
            assertThat(bin.data()).containsExactly(0, 1, 2);
            publish("room", "{\"type\":\"ping\",\"content\":\"pp\"}");
            assertThat(c.next())
                    .extracting(WsClient.Event::kind, WsClient.Event::text)
                    .containsExactly("ping", "pp");
            // a large published message arrives whole (sent in fragments)
            String big = "x".repeat(100_000);
            publish("room", "{\"content\":\"" + big + "\"}");
            assertThat(c.nextText()).isEqualTo(big);

            WsOrigin.sendText(o, "c:{\"type\":\"unsubscribe\",\"channel\":\"room\"}");
            WsOrigin.sendText(o, "m:unsubscribed");
            assertThat(c.nextText()).isEqualTo("unsubscribed");
            assertThat(proxy.hub().subscriberCount("room")).isZero();

            WsOrigin.sendText(o, "c:{\"type\":\"subscribe\",\"channel\":\"room\"}");
            WsOrigin.sendText(o, "m:again");
            assertThat(c.nextText()).isEqualTo("again");
            publish("room", "{\"action\":\"close\",\"code\":4005,\"reason\":\"published close\"}");
            WsClient.Event close = c.nextClose();
            assertThat(close.code()).isEqualTo(4005);
            assertThat(close.text()).isEqualTo("published close");
        }
    }

    @Test
    void customAndEmptyMessagePrefix() throws Exception {
        origin.answer = r -> new WsOrigin.Answer(101, grip("grip; message-prefix=\"\""), "");
        try (WsClient c = WsClient.connect(proxy.httpPort(), "/x")) {
            Channel o = origin.connection();
            WsOrigin.sendText(o, "as is");
            assertThat(c.nextText()).isEqualTo("as is");
        }
        origin.answer = r -> new WsOrigin.Answer(101, grip("grip; message-prefix=\"d:\""), "");
        try (WsClient c = WsClient.connect(proxy.httpPort(), "/x")) {
            Channel o = origin.connection();
            WsOrigin.sendText(o, "m:dropped");
            WsOrigin.sendText(o, "d:kept");
            assertThat(c.nextText()).isEqualTo("kept");
        }
    }

    @Test
    void subscriptionLimitClosesTheConnection() throws Exception {
        origin.answer = r -> new WsOrigin.Answer(101, grip("grip"), "");
        try (WsClient c = WsClient.connect(proxy.httpPort(), "/x")) {
            Channel o = origin.connection();
            for (int i = 1; i <= 4; i++) {
                WsOrigin.sendText(o, "c:{\"type\":\"subscribe\",\"channel\":\"ch" + i + "\"}");
            }
            WsClient.Event close = c.nextClose();
            assertThat(close.code()).isEqualTo(1008);
            assertThat(close.text()).contains("too many subscriptions").contains("3");
        }
    }

    @Test
    void tooManyFiltersCloses1011() throws Exception {
        origin.answer = r -> new WsOrigin.Answer(101, grip("grip"), "");
        try (WsClient c = WsClient.connect(proxy.httpPort(), "/x")) {
            WsOrigin.sendText(
                    origin.connection(),
                    "c:{\"type\":\"subscribe\",\"channel\":\"a\",\"filters\":"
                            + "[\"skip-self\",\"skip-users\",\"require-sub\",\"build-id\",\"var-subst\",\"x\"]}");
            WsClient.Event e = c.nextClose();
            assertThat(e.code()).isEqualTo(1011);
            assertThat(e.text()).isEqualTo("too many filters for channel 'a'");
        }
    }

    @Test
    void detachClosesTheOriginAndKeepsTheClient() throws Exception {
        origin.answer = r -> new WsOrigin.Answer(101, grip("grip"), "");
        try (WsClient c = WsClient.connect(proxy.httpPort(), "/x")) {
            Channel o = origin.connection();
            WsOrigin.sendText(o, "c:{\"type\":\"subscribe\",\"channel\":\"d\"}");
            WsOrigin.sendText(o, "c:{\"type\":\"detach\"}");
            assertThat(origin.next().kind()).isEqualTo("close");
            c.send("nobody listens");
            publish("d", "{\"content\":\"still here\"}");
            assertThat(c.nextText()).isEqualTo("still here");
            assertThat(origin.got.poll()).isIn(null, new WsOrigin.Got("gone", "", 0));
        }
    }

    @Test
    void keepAliveAndDelayedMessages() throws Exception {
        origin.answer = r -> new WsOrigin.Answer(101, grip("grip"), "");
        try (WsClient c = WsClient.connect(proxy.httpPort(), "/x")) {
            Channel o = origin.connection();
            WsOrigin.sendText(o, "c:{\"type\":\"keep-alive\",\"content\":\"ka\",\"timeout\":1,\"mode\":\"interval\"}");
            assertThat(c.nextText()).isEqualTo("ka");
            assertThat(c.nextText()).isEqualTo("ka");
            WsOrigin.sendText(o, "c:{\"type\":\"keep-alive\"}");
            WsOrigin.sendText(o, "c:{\"type\":\"send-delayed\",\"content\":\"later\",\"timeout\":30}");
            WsOrigin.sendText(o, "c:{\"type\":\"flush-delayed\"}");
            String t;
            do {
                t = c.nextText();
            } while (t.equals("ka"));
            assertThat(t).isEqualTo("later");
        }
    }

    @Test
    void idleKeepAliveWaitsForSilenceAndPublishedPongsAndHints() throws Exception {
        origin.answer = r -> new WsOrigin.Answer(101, grip("grip"), "");
        try (WsClient c = WsClient.connect(proxy.httpPort(), "/x")) {
            Channel o = origin.connection();
            WsOrigin.sendText(o, "c:{\"type\":\"subscribe\",\"channel\":\"k\"}");
            WsOrigin.sendText(
                    o,
                    "c:{\"type\":\"keep-alive\",\"content-bin\":\"AQI=\",\"message-type\":\"binary\","
                            + "\"timeout\":1}");
            long t0 = System.nanoTime();
            WsClient.Event ka = c.next();
            assertThat(ka.kind()).isEqualTo("binary");
            assertThat(ka.data()).containsExactly(1, 2);
            assertThat(System.nanoTime() - t0).isGreaterThan(TimeUnit.MILLISECONDS.toNanos(900));
            publish("k", "{\"action\":\"hint\"}");
            publish("k", "{\"type\":\"pong\",\"content\":\"pg\"}");
            WsClient.Event e;
            do {
                e = c.next();
            } while (e.kind().equals("binary"));
            assertThat(e.kind()).isEqualTo("pong");
            assertThat(e.text()).isEqualTo("pg");
        }
    }

    @Test
    void routePrefixAppliesToControlSubscriptions() throws Exception {
        proxy.updateRoutes(RouteTable.of(RoutesParser.parse("*,prefix=app- 127.0.0.1:" + origin.port() + "\n", "t")));
        origin.answer = r -> new WsOrigin.Answer(101, grip("grip"), "");
        try (WsClient c = WsClient.connect(proxy.httpPort(), "/x")) {
            Channel o = origin.connection();
            WsOrigin.sendText(o, "c:{\"type\":\"subscribe\",\"channel\":\"room\"}");
            WsOrigin.sendText(o, "m:ok");
            assertThat(c.nextText()).isEqualTo("ok");
            assertThat(proxy.hub().subscriberCount("app-room")).isEqualTo(1);
            publish("app-room", "{\"content\":\"prefixed\"}");
            assertThat(c.nextText()).isEqualTo("prefixed");
        }
    }

    @Test
    void implicitSubscriptionFromTargetSub() throws Exception {
        proxy.updateRoutes(RouteTable.of(RoutesParser.parse("* 127.0.0.1:" + origin.port() + ",sub=news\n", "t")));
        try (WsClient c = WsClient.connect(proxy.httpPort(), "/x")) {
            Channel o = origin.connection();
            // no grip extension: origin messages pass as they are, publishes still arrive
            WsOrigin.sendText(o, "plain");
            assertThat(c.nextText()).isEqualTo("plain");
            publish("news", "{\"content\":\"headline\"}");
            assertThat(c.nextText()).isEqualTo("headline");
        }
    }

    @Test
    void failoverToTheNextTargetAndAll502WhenNoneAnswers() throws Exception {
        int dead;
        try (var s = new ServerSocket(0)) {
            dead = s.getLocalPort();
        }
        proxy.updateRoutes(
                RouteTable.of(RoutesParser.parse("* 127.0.0.1:" + dead + " 127.0.0.1:" + origin.port() + "\n", "t")));
        try (WsClient c = WsClient.connect(proxy.httpPort(), "/x")) {
            origin.connection();
        }
        proxy.updateRoutes(RouteTable.of(RoutesParser.parse("* 127.0.0.1:" + dead + "\n", "t")));
        Throwable t = WsClient.connectFailure(proxy.httpPort(), "/x");
        assertThat(((WebSocketHandshakeException) t).getResponse().statusCode()).isEqualTo(502);
    }

    @Test
    void brokenOrigins() throws Exception {
        // a wrong accept key is a bad gateway
        origin.badAccept = true;
        Throwable t = WsClient.connectFailure(proxy.httpPort(), "/x");
        assertThat(((WebSocketHandshakeException) t).getResponse().statusCode()).isEqualTo(502);
        origin.badAccept = false;
        // The refused handshake's origin connection is recorded once its 101 is written, which may come after the
        // client's 502: take it, so that the next connection() is the second handshake's, not this one.
        origin.connection();
        // an origin that drops the connection after the 101 ends the client's connection too
        try (WsClient c = WsClient.connect(proxy.httpPort(), "/x")) {
            origin.connection().close();
            WsClient.Event e = c.nextClose();
            assertThat(e.code()).isEqualTo(1011);
        }
    }
}
