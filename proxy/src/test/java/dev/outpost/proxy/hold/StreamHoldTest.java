package dev.outpost.proxy.hold;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.grip.instruct.HoldMode;
import dev.outpost.grip.instruct.KeepAlive;
import dev.outpost.grip.instruct.KeepAliveMode;
import dev.outpost.grip.instruct.NextLink;
import dev.outpost.proxy.support.LeakGuard;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Stream holds on an in-memory channel with a stopped clock: the head, published content, queueing while the client
 * can't take more, keep-alives, next links and the end.
 */
@ExtendWith(LeakGuard.class)
class StreamHoldTest {
    /** A stream's extra instructions, as the tests vary them. */
    private record Options(Map<String, String> meta, NextLink nextLink, boolean noHold) {
        static final Options NONE = new Options(Map.of(), null, false);
    }

    static final HeldResponse HEAD =
            new HeldResponse(200, "OK", List.of(Map.entry("Content-Type", "text/plain")), bytes("init"));

    HoldFixture fx = new HoldFixture();

    @AfterEach
    void close() {
        fx.close();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private StreamHold hold(List<HoldChannel> channels, KeepAlive keepAlive, Options options) {
        return hold(channels, HEAD, keepAlive, HttpVersion.HTTP_1_1, false, options);
    }

    private StreamHold hold(
            List<HoldChannel> channels,
            HeldResponse head,
            KeepAlive keepAlive,
            HttpVersion version,
            boolean headRequest,
            Options options) {
        return new StreamHold(
                fx.ctx(),
                fx.context(),
                new HoldHandoff(
                        new HoldHandoff.Client(version, true, headRequest),
                        head,
                        new HoldHandoff.Instruction(channels, options.meta(), 0, keepAlive, options.noHold()),
                        new HoldHandoff.Links(options.nextLink(), null, ChannelRules.NONE),
                        fx.owner.debug),
                fx.owner,
                fx.owner);
    }

    private StreamHold hold(String... channels) {
        return hold(
                List.of(channels).stream()
                        .map(c -> new HoldChannel(c, null, List.of()))
                        .toList(),
                null,
                Options.NONE);
    }

    private static Options link(String uri, int timeoutSeconds) {
        return new Options(Map.of(), new NextLink(uri, timeoutSeconds), false);
    }

    private static String stream(String channel, String fields) {
        return "{\"items\":[{\"channel\":\"" + channel + "\"" + fields + "}]}";
    }

    private static String send(String channel, String content) {
        return stream(channel, ",\"formats\":{\"http-stream\":{\"content\":\"" + content + "\"}}");
    }

    /** The contents written since the last call, as text; a {@code |} stands for the end of the stream. */
    private String contents() {
        StringBuilder sb = new StringBuilder();
        for (Object o : fx.written()) {
            try {
                if (o instanceof HttpContent c) {
                    sb.append(c.content().toString(StandardCharsets.UTF_8));
                }
                if (o instanceof LastHttpContent) {
                    sb.append('|');
                }
            } finally {
                ReferenceCountUtil.release(o);
            }
        }
        return sb.toString();
    }

    /** The bytes the HTTP codec put on the wire since the last call. */
    private String wire() {
        StringBuilder sb = new StringBuilder();
        for (Object o : fx.written()) {
            sb.append(((ByteBuf) o).toString(StandardCharsets.UTF_8));
            ReferenceCountUtil.release(o);
        }
        return sb.toString();
    }

    @Test
    void theHeadAndInitialBodyGoOutChunkedThenPublishedContent() {
        hold("c").start();
        List<Object> head = fx.written();
        assertThat(head.get(0)).isInstanceOf(HttpResponse.class);
        HttpResponse r = (HttpResponse) head.get(0);
        assertThat(HttpUtil.isTransferEncodingChunked(r)).isTrue();
        assertThat(r.headers().get("Content-Type")).isEqualTo("text/plain");
        assertThat(((HttpContent) head.get(1)).content().toString(StandardCharsets.UTF_8))
                .isEqualTo("init");
        head.forEach(ReferenceCountUtil::release);

        fx.publish(send("c", "one"));
        fx.publish(stream("c", ",\"id\":\"2\",\"formats\":{\"http-stream\":{\"content\":\"two\"}}"));
        assertThat(contents()).isEqualTo("onetwo");
        fx.publish(stream("c", ",\"formats\":{\"http-stream\":{\"action\":\"close\"}}"));
        assertThat(contents()).isEqualTo("|");
        assertThat(fx.owner.finished).isTrue();
        assertThat(fx.hub.subscriberCount("c")).isZero();
        assertThat(fx.seen).contains("delivered c:2");
        assertThat(fx.finish()).isFalse();
    }

    @Test
    void aPlainItemIsWrittenAsOneFramedChunkBelowTheEncoderAndAFilteredOneThroughIt() {
        fx.close();
        fx = new HoldFixture(new HttpServerCodec());
        fx.ch.writeInbound(Unpooled.copiedBuffer("GET /s HTTP/1.1\r\nHost: x\r\n\r\n", StandardCharsets.US_ASCII));
        fx.ch.inboundMessages().forEach(ReferenceCountUtil::release);
        fx.ch.inboundMessages().clear();
        hold(
                        List.of(
                                new HoldChannel("plain", null, List.of()),
                                new HoldChannel("f", null, List.of("skip-self"))),
                        new HeldResponse(200, "OK", List.of(), new byte[0]),
                        null,
                        HttpVersion.HTTP_1_1,
                        false,
                        new Options(Map.of("user", "me"), null, false))
                .start();
        assertThat(wire()).startsWith("HTTP/1.1 200 OK\r\n").contains("transfer-encoding: chunked\r\n");

        fx.publish(send("plain", "hello"));
        assertThat(wire()).isEqualTo("5\r\nhello\r\n");
        fx.publish(stream("f", ",\"meta\":{\"sender\":\"me\"},\"formats\":{\"http-stream\":{\"content\":\"mine\"}}"));
        fx.publish(stream("f", ",\"meta\":{\"sender\":\"you\"},\"formats\":{\"http-stream\":{\"content\":\"yours\"}}"));
        assertThat(wire()).isEqualTo("5\r\nyours\r\n");
        fx.publish(stream("plain", ",\"formats\":{\"http-stream\":{\"action\":\"close\"}}"));
        assertThat(wire()).isEqualTo("0\r\n\r\n");
        assertThat(fx.owner.finished).isTrue();
        assertThat(fx.finish()).isFalse();
    }

    @Test
    void pastOneHundredQueuedItemsMoreAreDroppedAndCounted() {
        hold("q").start();
        fx.discardWritten();

        // the client stops reading: unflushed bytes above the high water mark
        fx.ch.config().setWriteBufferWaterMark(new WriteBufferWaterMark(1, 2));
        fx.ch.write(Unpooled.wrappedBuffer(new byte[16]));
        assertThat(fx.ch.isWritable()).isFalse();

        for (int i = 0; i < 150; i++) {
            fx.publish(send("q", "m" + i));
        }
        assertThat(fx.written()).isEmpty();
        assertThat(fx.owner.drops.count("session_queue")).isEqualTo(50);
        assertThat(fx.seen).filteredOn(s -> s.endsWith("dropped_queue_full")).hasSize(50);
    }

    @Test
    void queuedItemsGoOutInOrderWhenTheClientCanTakeMore() {
        StreamHold h = hold("q");
        h.start();
        fx.discardWritten();
        fx.ch.config().setWriteBufferWaterMark(new WriteBufferWaterMark(1, 2));
        ByteBuf stuck = Unpooled.wrappedBuffer(new byte[16]);
        fx.ch.write(stuck);
        for (int i = 0; i < 150; i++) {
            fx.publish(send("q", "m" + i));
        }
        fx.ch.config().setWriteBufferWaterMark(WriteBufferWaterMark.DEFAULT);
        fx.ch.flush();
        h.clientWritable();
        List<Object> out = fx.written();
        assertThat(out.get(0)).isSameAs(stuck);
        assertThat(out).hasSize(1 + 100);
        assertThat(((HttpContent) out.get(1)).content().toString(StandardCharsets.UTF_8))
                .isEqualTo("m0");
        assertThat(((HttpContent) out.get(100)).content().toString(StandardCharsets.UTF_8))
                .isEqualTo("m99");
        out.forEach(ReferenceCountUtil::release);

        fx.publish(stream("q", ",\"formats\":{\"http-stream\":{\"action\":\"close\"}}"));
        assertThat(contents()).isEqualTo("|");
        assertThat(fx.owner.finished).isTrue();
        assertThat(fx.hub.subscriberCount("q")).isZero();
        assertThat(fx.finish()).isFalse();
    }

    @Test
    void clientCloseReleasesQueuedItemsAndUnsubscribes() {
        StreamHold h = hold("a", "b");
        h.start();
        fx.discardWritten();
        fx.ch.config().setWriteBufferWaterMark(new WriteBufferWaterMark(1, 2));
        fx.ch.write(Unpooled.wrappedBuffer(new byte[16]));
        fx.publish(send("a", "queued"));
        h.clientClosed();
        assertThat(fx.hub.subscriberCount("a")).isZero();
        assertThat(fx.hub.subscriberCount("b")).isZero();
        assertThat(fx.owner.finished).isNull();
    }

    @Test
    void shutdownWritesWhatIsQueuedThenEnds() {
        StreamHold h = hold("q");
        h.start();
        fx.discardWritten();
        fx.ch.config().setWriteBufferWaterMark(new WriteBufferWaterMark(1, 2));
        ByteBuf stuck = Unpooled.wrappedBuffer(new byte[16]);
        fx.ch.write(stuck);
        fx.publish(send("q", "a"));
        fx.publish(send("q", "b"));
        fx.ch.config().setWriteBufferWaterMark(WriteBufferWaterMark.DEFAULT);
        fx.ch.flush();
        h.shutdown();
        List<Object> out = fx.written();
        assertThat(out.remove(0)).isSameAs(stuck);
        stuck.release();
        StringBuilder sb = new StringBuilder();
        for (Object o : out) {
            sb.append(((HttpContent) o).content().toString(StandardCharsets.UTF_8));
            sb.append(o instanceof LastHttpContent ? "|" : "");
            ReferenceCountUtil.release(o);
        }
        assertThat(sb).hasToString("ab|");
        assertThat(fx.owner.finished).isTrue();
    }

    @Test
    void http10StreamIsCloseDelimited() {
        hold(
                        List.of(new HoldChannel("c", null, List.of())),
                        new HeldResponse(200, "OK", List.of(), new byte[0]),
                        null,
                        HttpVersion.HTTP_1_0,
                        false,
                        Options.NONE)
                .start();
        HttpResponse r = (HttpResponse) fx.written().get(0);
        assertThat(HttpUtil.isTransferEncodingChunked(r)).isFalse();
        assertThat(HttpUtil.isKeepAlive(r)).isFalse();
        fx.publish(stream("c", ",\"formats\":{\"http-stream\":{\"action\":\"close\"}}"));
        assertThat(contents()).isEqualTo("|");
        assertThat(fx.owner.finished).isFalse();
    }

    @Test
    void aHeadRequestGetsTheHeadAndNothingElse() {
        hold(List.of(new HoldChannel("c", null, List.of())), HEAD, null, HttpVersion.HTTP_1_1, true, Options.NONE)
                .start();
        List<Object> out = fx.written();
        assertThat(out).singleElement().isInstanceOf(HttpResponse.class);
        assertThat(HttpUtil.isKeepAlive((HttpResponse) out.get(0))).isTrue();
        assertThat(fx.owner.finished).isTrue();
        assertThat(fx.hub.subscriberCount("c")).isZero();
    }

    @Test
    void keepAlivesGoOutEveryPeriod() {
        hold(
                        List.of(new HoldChannel("c", null, List.of())),
                        new KeepAlive(bytes(":\n"), 20, KeepAliveMode.INTERVAL),
                        Options.NONE)
                .start();
        fx.discardWritten();
        fx.advance(18, TimeUnit.SECONDS);
        assertThat(contents()).isEmpty();
        fx.advance(2, TimeUnit.SECONDS);
        assertThat(contents()).isEqualTo(":\n");
        fx.publish(send("c", "data"));
        fx.advance(20, TimeUnit.SECONDS);
        assertThat(contents()).isEqualTo("data:\n");
        assertThat(fx.seen).filteredOn("keep-alive"::equals).hasSize(2);
    }

    @Test
    void anIdleKeepAliveWaitsForAPeriodWithoutWrites() {
        hold(
                        List.of(new HoldChannel("c", null, List.of())),
                        new KeepAlive(bytes(":\n"), 20, KeepAliveMode.IDLE),
                        Options.NONE)
                .start();
        fx.discardWritten();
        fx.advance(15, TimeUnit.SECONDS);
        fx.publish(send("c", "data"));
        // at 20 s the stream was idle for only 5 s; each period may start up to a second early (jitter)
        fx.advance(18, TimeUnit.SECONDS);
        assertThat(contents()).isEqualTo("data");
        fx.advance(3, TimeUnit.SECONDS);
        assertThat(contents()).isEqualTo(":\n");
    }

    @Test
    void withoutAHoldTheNextLinkIsFollowedAtOnceAndItsBodyAppended() {
        hold(List.of(), null, new Options(Map.of(), new NextLink("http://o.test/page2", 0), true))
                .start();
        assertThat(contents()).isEqualTo("init");
        assertThat(fx.owner.fetches).singleElement().satisfies(f -> {
            assertThat(f.link()).isEqualTo("http://o.test/page2");
            assertThat(f.gripLast()).isEmpty();
        });
        fx.owner.fetches.get(0).to().next(new NextStep(null, List.of(), null, null, Map.of(), bytes("page2")));
        assertThat(contents()).isEqualTo("page2|");
        assertThat(fx.owner.finished).isTrue();
    }

    @Test
    void aHintFetchesTheNextLinkWithWhatTheStreamKnowsAndTheAnswerReplacesTheChannels() {
        StreamHold h = hold(List.of(new HoldChannel("c", "1", List.of())), null, link("/next", -1));
        h.start();
        fx.discardWritten();
        fx.publish(stream("c", ",\"id\":\"2\",\"prev-id\":\"1\",\"formats\":{\"http-stream\":{\"content\":\"two\"}}"));
        assertThat(contents()).isEqualTo("two");
        fx.publish(stream("c", ",\"id\":\"3\",\"prev-id\":\"2\",\"formats\":{\"http-stream\":{\"action\":\"hint\"}}"));
        assertThat(fx.owner.fetches).singleElement().satisfies(f -> {
            assertThat(f.link()).isEqualTo("/next");
            assertThat(f.gripLast()).containsExactly(Map.entry("c", "3"));
        });
        // an item that arrives while the link is fetched waits, and is stale once the channels are replaced
        fx.publish(
                stream("c", ",\"id\":\"4\",\"prev-id\":\"3\",\"formats\":{\"http-stream\":{\"content\":\"early\"}}"));
        assertThat(contents()).isEmpty();
        h.next(new NextStep(
                HoldMode.STREAM, List.of(new HoldChannel("d", null, List.of())), null, null, Map.of(), bytes("more")));
        assertThat(contents()).isEqualTo("more");
        assertThat(fx.hub.subscriberCount("c")).isZero();
        assertThat(fx.hub.subscriberCount("d")).isEqualTo(1);
        fx.publish(send("d", "on d"));
        assertThat(contents()).isEqualTo("on d");
    }

    @Test
    void aGapInPrevIdsFetchesTheNextLinkInsteadOfDelivering() {
        hold(List.of(new HoldChannel("c", "1", List.of())), null, link("/next", -1))
                .start();
        fx.discardWritten();
        fx.publish(stream("c", ",\"id\":\"3\",\"prev-id\":\"2\",\"formats\":{\"http-stream\":{\"content\":\"3\"}}"));
        assertThat(contents()).isEmpty();
        assertThat(fx.seen).containsExactly("not-delivered c:3 dropped_sequence");
        assertThat(fx.owner.fetches)
                .singleElement()
                .satisfies(f -> assertThat(f.gripLast()).containsExactly(Map.entry("c", "1")));
    }

    @Test
    void aQuietChannelMakesTheNextLinkBeFetchedAfterItsTimeout() {
        StreamHold h = hold(
                List.of(new HoldChannel("a", null, List.of()), new HoldChannel("b", null, List.of())),
                null,
                link("/next", 10));
        h.start();
        fx.discardWritten();
        fx.advance(6, TimeUnit.SECONDS);
        // both channels saw an item: the link is fresh again for another 10 s
        fx.publish(send("a", "1"));
        fx.publish(send("b", "2"));
        fx.advance(6, TimeUnit.SECONDS);
        assertThat(fx.owner.fetches).isEmpty();
        fx.advance(4, TimeUnit.SECONDS);
        assertThat(fx.owner.fetches).hasSize(1);
        assertThat(contents()).isEqualTo("12");
    }

    @Test
    void aPrevIdWithoutANextLinkEndsTheStreamSayingWhyWhenDebugIsOn() {
        fx.owner.debug = true;
        hold(List.of(new HoldChannel("c", "1", List.of())), null, Options.NONE).start();
        assertThat(contents()).isEqualTo("init\n\nchannel 'c' specifies prev-id, but no next link found\n|");
        assertThat(fx.owner.finished).isTrue();
        assertThat(fx.hub.subscriberCount("c")).isZero();
    }

    @Test
    void aNextLinkThatCannotBeFetchedEndsTheStream() {
        StreamHold h = hold(List.of(), null, new Options(Map.of(), new NextLink("/next", 0), true));
        h.start();
        fx.discardWritten();
        h.nextFailed("gone");
        assertThat(contents()).isEqualTo("|");
        fx.close();
        fx = new HoldFixture();
        fx.owner.canFetch = false;
        fx.owner.debug = true;
        hold(List.of(), null, new Options(Map.of(), new NextLink("/next", 0), true))
                .start();
        assertThat(contents()).isEqualTo("init\n\nInstruct contained link, but links can't be followed here.\n|");
    }

    @Test
    void aNextStepReplacesTheChannelsKeepingTheSubscriptionsItStillNames() {
        StreamHold hold = hold(
                List.of(
                        new HoldChannel("a", null, List.of()),
                        new HoldChannel("b", null, List.of()),
                        new HoldChannel("a", null, List.of())),
                null,
                Options.NONE);
        hold.start();
        fx.discardWritten();
        assertThat(fx.hub.subscriberCount("a")).isEqualTo(1);
        assertThat(fx.hub.subscriberCount("b")).isEqualTo(1);

        hold.next(new NextStep(
                HoldMode.STREAM,
                List.of(new HoldChannel("b", null, List.of()), new HoldChannel("c", null, List.of())),
                null,
                null,
                Map.of(),
                new byte[0]));
        assertThat(fx.hub.subscriberCount("a")).isZero();
        assertThat(fx.hub.subscriberCount("b")).isEqualTo(1);
        assertThat(fx.hub.subscriberCount("c")).isEqualTo(1);
        assertThat(hold.subscribedTo("a")).isFalse();
        assertThat(hold.subscribedTo("c")).isTrue();

        fx.publish(send("a", "gone"));
        fx.publish(send("c", "on c"));
        fx.publish(send("b", "on b"));
        assertThat(contents()).isEqualTo("on con b");
        hold.clientClosed();
        assertThat(fx.hub.subscriberCount("b")).isZero();
        assertThat(fx.hub.subscriberCount("c")).isZero();
    }
}
