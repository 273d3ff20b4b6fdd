package dev.outpost.proxy.ws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.grip.publish.PublishFormatException;
import dev.outpost.grip.publish.PublishParser;
import dev.outpost.proxy.config.ProxyConfig;
import dev.outpost.proxy.config.ProxyLimits;
import dev.outpost.proxy.observe.ProxyObserver;
import dev.outpost.proxy.pubsub.Drops;
import dev.outpost.proxy.pubsub.LocalChannelHub;
import dev.outpost.proxy.route.RouteTable;
import dev.outpost.proxy.server.Transport;
import dev.outpost.proxy.session.ClientConnection;
import dev.outpost.proxy.session.ProxyContext;
import dev.outpost.proxy.support.LeakGuard;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A client WebSocket's session as a state machine in memory, against the built-in test origin ({@code /ws}: GRIP
 * mode, subscribed to {@code test}, echoing): handshake, messages both ways, a publish, the close handshake, and
 * refusals; then each part of the session: the client side (fragments, the pipeline switch), the origin side's events,
 * GRIP control messages (injected as the origin's), subscriptions and published actions, and the timers on the
 * channel's virtual clock. No socket, no thread.
 */
@ExtendWith(LeakGuard.class)
class WsSessionStateTest {
    private static final String UPGRADE = "Host: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";

    private final LocalChannelHub hub = new LocalChannelHub();
    private ProxyContext px;
    private EmbeddedChannel ch;
    /** Masks client frames, as a browser does. */
    private final EmbeddedChannel encoder = new EmbeddedChannel(new WebSocket13FrameEncoder(true));
    /** Reads what the proxy sends once the connection is a WebSocket. */
    private final EmbeddedChannel decoder = new EmbeddedChannel(new WebSocket13FrameDecoder(false, true, 1 << 20));

    @BeforeEach
    void connect() {
        connect(ProxyConfig.builder().build());
    }

    private void connect(ProxyConfig cfg) {
        px = new ProxyContext(
                cfg,
                ProxyLimits.of(cfg),
                RouteTable.of(List.of()),
                new ProxyContext.Shared(
                        hub, new Drops(new SimpleMeterRegistry()), ProxyObserver.NOOP, Transport.detect()));
        ch = new EmbeddedChannel(new HttpServerCodec(), new ClientConnection(px));
    }

    @AfterEach
    void close() {
        ch.finishAndReleaseAll();
        encoder.finishAndReleaseAll();
        decoder.finishAndReleaseAll();
        px.close();
        hub.close();
    }

    private String handshake(String path, String version) {
        ch.writeInbound(Unpooled.copiedBuffer(
                "GET " + path + " HTTP/1.1\r\n" + UPGRADE + "Sec-WebSocket-Version: " + version + "\r\n\r\n",
                StandardCharsets.US_ASCII));
        ch.runPendingTasks();
        StringBuilder sb = new StringBuilder();
        Object o;
        while ((o = ch.readOutbound()) != null) {
            ByteBuf b = (ByteBuf) o;
            sb.append(b.toString(StandardCharsets.US_ASCII));
            b.release();
        }
        return sb.toString();
    }

    private void clientSends(WebSocketFrame f) {
        encoder.writeOutbound(f);
        Object o;
        while ((o = encoder.readOutbound()) != null) {
            ch.writeInbound(o);
        }
        ch.runPendingTasks();
    }

    /** The frames the proxy sent since the last call; text frames as their text, a close as {@code close <code>}. */
    private List<String> frames() {
        ch.runPendingTasks();
        Object o;
        while ((o = ch.readOutbound()) != null) {
            decoder.writeInbound(o);
        }
        List<String> out = new ArrayList<>();
        while ((o = decoder.readInbound()) != null) {
            if (o instanceof TextWebSocketFrame t) {
                out.add(t.text());
            } else if (o instanceof CloseWebSocketFrame c) {
                out.add("close " + c.statusCode());
            } else {
                out.add(o.getClass().getSimpleName());
            }
            ((WebSocketFrame) o).release();
        }
        return out;
    }

    @Test
    void theHandshakeIsAnsweredAfterTheOriginAcceptsAndMessagesFlowBothWays() throws Exception {
        String head = handshake("/ws", "13");
        assertThat(head)
                .startsWith("HTTP/1.1 101 Switching Protocols\r\n")
                .containsIgnoringCase("sec-websocket-accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n");
        // the test origin's subscribe control message joined channel test
        assertThat(hub.subscriberCount("test")).isEqualTo(1);

        clientSends(new TextWebSocketFrame("hello"));
        assertThat(frames()).containsExactly("hello");

        hub.publish(PublishParser.parse(
                ("{\"items\":[{\"channel\":\"test\",\"formats\":" + "{\"ws-message\":{\"content\":\"news\"}}}]}")
                        .getBytes(StandardCharsets.UTF_8)));
        assertThat(frames()).containsExactly("news");
    }

    @Test
    void aCloseFromTheClientIsAnsweredAndTheSubscriptionsEnd() {
        assertThat(handshake("/ws?channel=x", "13")).startsWith("HTTP/1.1 101");
        assertThat(hub.subscriberCount("x")).isEqualTo(1);
        clientSends(new CloseWebSocketFrame(1000, "bye"));
        assertThat(frames()).containsExactly("close 1000");
        ch.runPendingTasks();
        assertThat(ch.isOpen()).isFalse();
        ch.runPendingTasks();
        assertThat(hub.subscriberCount("x")).isZero();
    }

    @Test
    void anOriginRefusalReachesTheClient() {
        assertThat(handshake("/nope", "13"))
                .startsWith("HTTP/1.1 404 Not Found\r\n")
                .endsWith("no such test resource\n");
    }

    @Test
    void anUnsupportedVersionIsRefusedWith426() {
        assertThat(handshake("/ws", "8"))
                .startsWith("HTTP/1.1 426 Upgrade Required\r\n")
                .containsIgnoringCase("sec-websocket-version: 13");
    }

    /** A fresh connection to a proxy with {@code cfg}, on the same hub. */
    private void reconnect(ProxyConfig cfg) {
        ch.finishAndReleaseAll();
        px.close();
        connect(cfg);
    }

    /** The session on the channel, as its origin leg's listener: what an origin says is injected through it. */
    private WsSession session() {
        return ch.pipeline().get(WsSession.class);
    }

    private void originSays(String text) {
        session().message(Msg.text(text));
        ch.runPendingTasks();
    }

    private void publish(String channel, String wsMessage) throws PublishFormatException {
        hub.publish(PublishParser.parse(
                ("{\"items\":[{\"channel\":\"" + channel + "\",\"formats\":{\"ws-message\":" + wsMessage + "}}]}")
                        .getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void afterThe101ThePipelineIsAWebSocketOne() {
        assertThat(handshake("/ws", "13")).startsWith("HTTP/1.1 101");
        assertThat(ch.pipeline().get(HttpServerCodec.class)).isNull();
        assertThat(ch.pipeline().names()).containsSubsequence("ws-encoder", "ws-decoder", "ws-utf8", "ws-aggregator");
        assertThat(ch.config().isAutoRead()).isTrue();
    }

    @Test
    void aLargeMessageGoesToTheClientInFragments() throws Exception {
        assertThat(handshake("/ws", "13")).startsWith("HTTP/1.1 101");
        publish("test", "{\"content\":\"" + "x".repeat(2 * WsClientSide.MAX_OUT_FRAME + 1) + "\"}");
        List<String> f = frames();
        assertThat(f).hasSize(3);
        assertThat(f.get(0)).hasSize(WsClientSide.MAX_OUT_FRAME);
        assertThat(f.subList(1, 3)).containsOnly("ContinuationWebSocketFrame");
    }

    @Test
    void aPingReachesTheOriginWhichAnswers() {
        assertThat(handshake("/ws", "13")).startsWith("HTTP/1.1 101");
        clientSends(new PingWebSocketFrame(Unpooled.wrappedBuffer(new byte[] {1})));
        assertThat(frames()).containsExactly("PongWebSocketFrame");
    }

    @Test
    void controlMessagesFromTheOriginSubscribeAndUnsubscribe() {
        assertThat(handshake("/ws", "13")).startsWith("HTTP/1.1 101");
        originSays("c:{\"type\":\"subscribe\",\"channel\":\"more\"}");
        assertThat(hub.subscriberCount("more")).isEqualTo(1);
        originSays("c:{\"type\":\"unsubscribe\",\"channel\":\"test\"}");
        assertThat(hub.subscriberCount("test")).isZero();
        // a control message is not for the client; a message with the prefix is, without it
        originSays("m:plain");
        assertThat(frames()).containsExactly("plain");
        // one without the prefix is dropped
        originSays("no prefix");
        assertThat(frames()).isEmpty();
    }

    @Test
    void aSubscriptionPastTheLimitClosesWith1008() {
        reconnect(ProxyConfig.builder().connectionSubscriptionMax(1).build());
        assertThat(handshake("/ws", "13")).startsWith("HTTP/1.1 101");
        originSays("c:{\"type\":\"subscribe\",\"channel\":\"second\"}");
        assertThat(hub.subscriberCount("second")).isZero();
        assertThat(frames()).containsExactly("close 1008");
    }

    @Test
    void aKeepAliveIsSentOnTheTimer() {
        ch.freezeTime();
        assertThat(handshake("/ws", "13")).startsWith("HTTP/1.1 101");
        originSays("c:{\"type\":\"keep-alive\",\"content\":\"ka\",\"timeout\":2,\"mode\":\"interval\"}");
        ch.advanceTimeBy(1, TimeUnit.SECONDS);
        assertThat(frames()).isEmpty();
        ch.advanceTimeBy(1, TimeUnit.SECONDS);
        assertThat(frames()).containsExactly("ka");
        ch.advanceTimeBy(2, TimeUnit.SECONDS);
        assertThat(frames()).containsExactly("ka");
    }

    @Test
    void aDelayedMessageWaitsForItsTimeOrAFlush() {
        ch.freezeTime();
        assertThat(handshake("/ws", "13")).startsWith("HTTP/1.1 101");
        originSays("c:{\"type\":\"send-delayed\",\"content\":\"later\",\"timeout\":5}");
        assertThat(frames()).isEmpty();
        originSays("c:{\"type\":\"flush-delayed\"}");
        assertThat(frames()).containsExactly("later");
        originSays("c:{\"type\":\"send-delayed\",\"content\":\"due\",\"timeout\":5}");
        ch.advanceTimeBy(5, TimeUnit.SECONDS);
        assertThat(frames()).containsExactly("due");
    }

    @Test
    void aDetachedSessionAnswersPingsItselfAndStaysOpen() throws Exception {
        assertThat(handshake("/ws", "13")).startsWith("HTTP/1.1 101");
        originSays("c:{\"type\":\"detach\"}");
        clientSends(new TextWebSocketFrame("anyone?"));
        clientSends(new PingWebSocketFrame(Unpooled.wrappedBuffer(new byte[] {2})));
        assertThat(frames()).containsExactly("PongWebSocketFrame");
        assertThat(ch.isOpen()).isTrue();
        // published messages still arrive
        publish("test", "{\"content\":\"still here\"}");
        assertThat(frames()).containsExactly("still here");
    }

    @Test
    void aPublishedCloseClosesTheClientWithItsCode() throws Exception {
        assertThat(handshake("/ws", "13")).startsWith("HTTP/1.1 101");
        publish("test", "{\"action\":\"close\",\"code\":4001}");
        assertThat(frames()).containsExactly("close 4001");
        // the client's reply ends the connection
        clientSends(new CloseWebSocketFrame(4001, ""));
        ch.runPendingTasks();
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void theOriginsCloseReachesTheClient() {
        assertThat(handshake("/ws", "13")).startsWith("HTTP/1.1 101");
        session().closed(4002, "bye");
        assertThat(frames()).containsExactly("close 4002");
    }

    @Test
    void anOriginFailureClosesTheClientWith1011() {
        assertThat(handshake("/ws", "13")).startsWith("HTTP/1.1 101");
        session().failed("gone");
        assertThat(frames()).containsExactly("close 1011");
    }

    @Test
    void withoutAReplyTheCloseEndsTheConnectionAfterTheWait() throws Exception {
        ch.freezeTime();
        assertThat(handshake("/ws", "13")).startsWith("HTTP/1.1 101");
        publish("test", "{\"action\":\"close\"}");
        assertThat(frames()).hasSize(1);
        ch.advanceTimeBy(WsClientSide.CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
        ch.runPendingTasks();
        assertThat(ch.isOpen()).isFalse();
    }
}
