package dev.outpost.proxy.hold;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.grip.instruct.HoldMode;
import dev.outpost.grip.publish.HttpStreamFormat;
import dev.outpost.grip.publish.PublishAction;
import dev.outpost.grip.publish.PublishItem;
import dev.outpost.proxy.pubsub.LocalChannelHub;
import dev.outpost.proxy.support.LeakGuard;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Stream holds on an in-memory channel: queueing while the client can't take more, and the queue limit. */
@ExtendWith(LeakGuard.class)
class StreamHoldTest {

    private static PublishItem item(String channel, PublishAction action, String content) {
        return new PublishItem(
                channel,
                null,
                null,
                Map.of(),
                null,
                new HttpStreamFormat(
                        action, content == null ? null : content.getBytes(StandardCharsets.UTF_8), List.of()),
                null,
                false);
    }

    private static List<Object> drainOutbound(EmbeddedChannel ch) {
        List<Object> out = new ArrayList<>();
        Object o;
        while ((o = ch.readOutbound()) != null) {
            out.add(o);
        }
        return out;
    }

    @Test
    void queuesWhileNotWritableDropsPastTheLimitAndEndsOnClose() {
        EmbeddedChannel ch = new EmbeddedChannel(new ChannelInboundHandlerAdapter());
        ChannelHandlerContext ctx = ch.pipeline().firstContext();
        LocalChannelHub hub = new LocalChannelHub();
        RecordingOwner owner = new RecordingOwner();
        StreamHold hold = new StreamHold(
                ctx,
                hub,
                List.of("q"),
                new HeldResponse(200, "OK", List.of(Map.entry("Content-Type", "text/plain")), "init".getBytes()),
                null,
                HttpVersion.HTTP_1_1,
                true,
                false,
                owner);
        hold.start();
        List<Object> head = drainOutbound(ch);
        assertThat(head.get(0)).isInstanceOf(HttpResponse.class);
        assertThat(HttpUtil.isTransferEncodingChunked((HttpResponse) head.get(0)))
                .isTrue();
        assertThat(((HttpContent) head.get(1)).content().toString(StandardCharsets.UTF_8))
                .isEqualTo("init");
        head.forEach(ReferenceCountUtil::release);

        // the client stops reading: unflushed bytes above the high water mark
        ch.config().setWriteBufferWaterMark(new WriteBufferWaterMark(1, 2));
        ByteBuf stuck = Unpooled.wrappedBuffer(new byte[16]);
        ch.write(stuck);
        assertThat(ch.isWritable()).isFalse();

        for (int i = 0; i < 150; i++) {
            hub.publish(List.of(item("q", PublishAction.SEND, "m" + i)));
        }
        ch.runPendingTasks();
        assertThat(drainOutbound(ch)).isEmpty();

        ch.config().setWriteBufferWaterMark(WriteBufferWaterMark.DEFAULT);
        ch.flush();
        assertThat(ch.isWritable()).isTrue();
        hold.clientWritable();
        List<Object> out = drainOutbound(ch);
        assertThat(out.get(0)).isSameAs(stuck);
        assertThat(out).hasSize(1 + 100);
        assertThat(((HttpContent) out.get(1)).content().toString(StandardCharsets.UTF_8))
                .isEqualTo("m0");
        assertThat(((HttpContent) out.get(100)).content().toString(StandardCharsets.UTF_8))
                .isEqualTo("m99");
        out.forEach(ReferenceCountUtil::release);

        hub.publish(List.of(item("q", PublishAction.CLOSE, null)));
        ch.runPendingTasks();
        List<Object> end = drainOutbound(ch);
        assertThat(end).singleElement().isInstanceOf(LastHttpContent.class);
        assertThat(owner.finished).isTrue();
        assertThat(hub.subscriberCount("q")).isZero();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void clientCloseReleasesQueuedItemsAndUnsubscribes() {
        EmbeddedChannel ch = new EmbeddedChannel(new ChannelInboundHandlerAdapter());
        LocalChannelHub hub = new LocalChannelHub();
        StreamHold hold = new StreamHold(
                ch.pipeline().firstContext(),
                hub,
                List.of("a", "b"),
                new HeldResponse(200, "OK", List.of(), new byte[0]),
                null,
                HttpVersion.HTTP_1_1,
                true,
                false,
                new RecordingOwner());
        hold.start();
        drainOutbound(ch).forEach(ReferenceCountUtil::release);
        ch.config().setWriteBufferWaterMark(new WriteBufferWaterMark(1, 2));
        ch.write(Unpooled.wrappedBuffer(new byte[16]));
        hub.publish(List.of(item("a", PublishAction.SEND, "queued")));
        ch.runPendingTasks();
        hold.clientClosed();
        assertThat(hub.subscriberCount("a")).isZero();
        assertThat(hub.subscriberCount("b")).isZero();
        ch.finishAndReleaseAll();
    }

    @Test
    void http10StreamIsCloseDelimited() {
        EmbeddedChannel ch = new EmbeddedChannel(new ChannelInboundHandlerAdapter());
        LocalChannelHub hub = new LocalChannelHub();
        RecordingOwner owner = new RecordingOwner();
        StreamHold hold = new StreamHold(
                ch.pipeline().firstContext(),
                hub,
                List.of("c"),
                new HeldResponse(200, "OK", List.of(), new byte[0]),
                null,
                HttpVersion.HTTP_1_0,
                true,
                false,
                owner);
        hold.start();
        HttpResponse r = ch.readOutbound();
        assertThat(HttpUtil.isTransferEncodingChunked(r)).isFalse();
        assertThat(HttpUtil.isKeepAlive(r)).isFalse();
        hub.publish(List.of(item("c", PublishAction.CLOSE, null)));
        ch.runPendingTasks();
        assertThat(owner.finished).isFalse();
        ch.finishAndReleaseAll();
    }

    @Test
    void aNextStepReplacesTheChannelsKeepingTheSubscriptionsItStillNames() {
        EmbeddedChannel ch = new EmbeddedChannel(new ChannelInboundHandlerAdapter());
        LocalChannelHub hub = new LocalChannelHub();
        StreamHold hold = new StreamHold(
                ch.pipeline().firstContext(),
                hub,
                List.of(
                        new HoldChannel("a", null, List.of()),
                        new HoldChannel("b", null, List.of()),
                        new HoldChannel("a", null, List.of())),
                new HeldResponse(200, "OK", List.of(), new byte[0]),
                null,
                HttpVersion.HTTP_1_1,
                true,
                false,
                new RecordingOwner(),
                StreamHold.Options.NONE);
        hold.start();
        drainOutbound(ch).forEach(ReferenceCountUtil::release);
        assertThat(hub.subscriberCount("a")).isEqualTo(1);
        assertThat(hub.subscriberCount("b")).isEqualTo(1);

        hold.next(new NextStep(
                HoldMode.STREAM,
                List.of(new HoldChannel("b", null, List.of()), new HoldChannel("c", null, List.of())),
                null,
                null,
                Map.of(),
                new byte[0]));
        assertThat(hub.subscriberCount("a")).isZero();
        assertThat(hub.subscriberCount("b")).isEqualTo(1);
        assertThat(hub.subscriberCount("c")).isEqualTo(1);
        assertThat(hold.subscribedTo("a")).isFalse();
        assertThat(hold.subscribedTo("c")).isTrue();

        hub.publish(List.of(
                item("a", PublishAction.SEND, "gone"),
                item("c", PublishAction.SEND, "on c"),
                item("b", PublishAction.SEND, "on b")));
        ch.runPendingTasks();
        List<Object> out = drainOutbound(ch);
        assertThat(out).hasSize(2);
        assertThat(((HttpContent) out.get(0)).content().toString(StandardCharsets.UTF_8))
                .isEqualTo("on c");
        assertThat(((HttpContent) out.get(1)).content().toString(StandardCharsets.UTF_8))
                .isEqualTo("on b");
        out.forEach(ReferenceCountUtil::release);
        hold.clientClosed();
        assertThat(hub.subscriberCount("b")).isZero();
        assertThat(hub.subscriberCount("c")).isZero();
        ch.finishAndReleaseAll();
    }
}
