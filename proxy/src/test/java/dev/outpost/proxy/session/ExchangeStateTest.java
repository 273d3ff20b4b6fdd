package dev.outpost.proxy.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.grip.publish.PublishFormatException;
import dev.outpost.grip.publish.PublishParser;
import dev.outpost.proxy.config.ProxyConfig;
import dev.outpost.proxy.config.ProxyLimits;
import dev.outpost.proxy.observe.ProxyObserver;
import dev.outpost.proxy.pubsub.Drops;
import dev.outpost.proxy.pubsub.LocalChannelHub;
import dev.outpost.proxy.route.RouteTable;
import dev.outpost.proxy.route.RoutesParser;
import dev.outpost.proxy.server.Transport;
import dev.outpost.proxy.support.LeakGuard;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A client connection's exchanges as a state machine in memory: requests in, bytes out, the built-in test origin
 * answering (plain, long-poll, stream), and publishes through an in-process hub. No socket, no thread.
 */
@ExtendWith(LeakGuard.class)
class ExchangeStateTest {
    private final LocalChannelHub hub = new LocalChannelHub();
    private ProxyContext px;
    private EmbeddedChannel ch;

    private void connect(RouteTable routes) {
        ProxyConfig cfg = ProxyConfig.builder().build();
        px = new ProxyContext(
                cfg,
                ProxyLimits.of(cfg),
                routes,
                new ProxyContext.Shared(
                        hub, new Drops(new SimpleMeterRegistry()), ProxyObserver.NOOP, Transport.detect()));
        ch = new EmbeddedChannel(new HttpServerCodec(), new ClientConnection(px));
    }

    @AfterEach
    void close() {
        if (ch != null) {
            ch.finishAndReleaseAll();
        }
        if (px != null) {
            px.close();
        }
        hub.close();
    }

    /** Writes {@code raw} as the client, runs what became due, and returns what was written back. */
    private String send(String raw) {
        ch.writeInbound(Unpooled.copiedBuffer(raw, StandardCharsets.US_ASCII));
        ch.runPendingTasks();
        return written();
    }

    private String written() {
        StringBuilder sb = new StringBuilder();
        Object o;
        while ((o = ch.readOutbound()) != null) {
            ByteBuf b = (ByteBuf) o;
            sb.append(b.toString(StandardCharsets.UTF_8));
            b.release();
        }
        return sb.toString();
    }

    private String publish(String json) throws PublishFormatException {
        hub.publish(PublishParser.parse(json.getBytes(StandardCharsets.UTF_8)));
        ch.runPendingTasks();
        return written();
    }

    @Test
    void aPlainAnswerIsRelayedAndTheConnectionStaysOpen() {
        connect(RouteTable.of(List.of()));
        String out = send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        assertThat(out).startsWith("HTTP/1.1 200 OK\r\n").endsWith("Hello from the Pushpin test handler!\n");
        assertThat(ch.isOpen()).isTrue();
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() {
        connect(RouteTable.of(List.of()));
        String out = send("GET /nope HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n");
        assertThat(out.indexOf("HTTP/1.1 404")).isZero();
        assertThat(out.indexOf("HTTP/1.1 200")).isGreaterThan(0);
        assertThat(out).endsWith("Hello from the Pushpin test handler!\n");
    }

    @Test
    void aLongPollWaitsForItsPublishThenTheNextRequestIsServed() throws Exception {
        connect(RouteTable.of(List.of()));
        assertThat(send("GET /response?channel=c HTTP/1.1\r\nHost: a\r\n\r\n")).isEmpty();
        assertThat(hub.subscriberCount("c")).isEqualTo(1);
        String out = publish("{\"items\":[{\"channel\":\"c\",\"formats\":{\"http-response\":{\"body\":\"hi\"}}}]}");
        assertThat(out).startsWith("HTTP/1.1 200 OK\r\n").endsWith("hi");
        assertThat(hub.subscriberCount("c")).isZero();
        assertThat(send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")).startsWith("HTTP/1.1 200 OK\r\n");
    }

    @Test
    void aStreamSendsItsHeadAndPublishedChunksAndLetsGoWhenTheClientLeaves() throws Exception {
        connect(RouteTable.of(List.of()));
        String head = send("GET /stream HTTP/1.1\r\nHost: a\r\n\r\n");
        assertThat(head).startsWith("HTTP/1.1 200 OK\r\n").contains("[stream opened]\n");
        assertThat(publish("{\"items\":[{\"channel\":\"test\",\"formats\":{\"http-stream\":{\"content\":\"x\"}}}]}"))
                .isEqualTo("1\r\nx\r\n");
        ch.close();
        ch.runPendingTasks();
        assertThat(hub.subscriberCount("test")).isZero();
    }

    @Test
    void aHostNoRouteNamesIsRefusedWith502() throws Exception {
        connect(RouteTable.of(RoutesParser.parse("other.example test\n", "t")));
        String out = send("GET / HTTP/1.1\r\nHost: a.example\r\n\r\n");
        assertThat(out).startsWith("HTTP/1.1 502 Bad Gateway\r\n").endsWith("No route for host: a.example\n");
    }

    @Test
    void anHttp10RequestWithoutKeepAliveClosesAfterItsAnswer() {
        connect(RouteTable.of(List.of()));
        String out = send("GET / HTTP/1.0\r\n\r\n");
        assertThat(out).startsWith("HTTP/1.0 200 OK\r\n");
        ch.runPendingTasks();
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void aHintMakesTheLongPollAskTheOriginAgainAndTheNewAnswerHoldsOn() throws Exception {
        connect(RouteTable.of(List.of()));
        assertThat(send("GET /response?channel=c HTTP/1.1\r\nHost: a\r\n\r\n")).isEmpty();
        assertThat(publish("{\"items\":[{\"channel\":\"c\",\"formats\":{\"http-response\":{\"action\":\"hint\"}}}]}"))
                .isEmpty();
        assertThat(hub.subscriberCount("c")).isEqualTo(1);
        String out = publish("{\"items\":[{\"channel\":\"c\",\"formats\":{\"http-response\":{\"body\":\"after\"}}}]}");
        assertThat(out).startsWith("HTTP/1.1 200 OK\r\n").endsWith("after");
        assertThat(hub.subscriberCount("c")).isZero();
    }

    @Test
    void theRoutesPrefixAndTheTargetsSubChannelsNameWhatIsHeld() throws Exception {
        connect(RouteTable.of(RoutesParser.parse("*,prefix=p- test,sub=extra\n", "t")));
        assertThat(send("GET /response?channel=c HTTP/1.1\r\nHost: a\r\n\r\n")).isEmpty();
        assertThat(hub.subscriberCount("p-c")).isEqualTo(1);
        assertThat(hub.subscriberCount("p-extra")).isEqualTo(1);
        String out =
                publish("{\"items\":[{\"channel\":\"p-extra\",\"formats\":{\"http-response\":{\"body\":\"x\"}}}]}");
        assertThat(out).startsWith("HTTP/1.1 200 OK\r\n").endsWith("x");
        assertThat(hub.subscriberCount("p-c")).isZero();
    }

    @Test
    void aRequestBodyTheTestOriginDoesNotWantIsDroppedAndTheNextRequestServed() {
        connect(RouteTable.of(List.of()));
        String out = send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello"
                + "GET /nope HTTP/1.1\r\nHost: a\r\n\r\n");
        assertThat(out.indexOf("HTTP/1.1 200")).isZero();
        assertThat(out.indexOf("HTTP/1.1 404")).isGreaterThan(0);
        assertThat(ch.isOpen()).isTrue();
    }

    @Test
    void aHeadRequestForAStreamGetsTheHeadAlone() {
        connect(RouteTable.of(List.of()));
        String out = send("HEAD /stream HTTP/1.1\r\nHost: a\r\n\r\n");
        assertThat(out).startsWith("HTTP/1.1 200 OK\r\n").doesNotContain("[stream opened]");
        assertThat(hub.subscriberCount("test")).isZero();
        assertThat(ch.isOpen()).isTrue();
    }
}
