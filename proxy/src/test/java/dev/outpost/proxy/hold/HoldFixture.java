package dev.outpost.proxy.hold;

import dev.outpost.grip.publish.PublishFormatException;
import dev.outpost.grip.publish.PublishItem;
import dev.outpost.grip.publish.PublishParser;
import dev.outpost.proxy.observe.ConnectionObserver;
import dev.outpost.proxy.observe.DropReason;
import dev.outpost.proxy.observe.ProxyObserver;
import dev.outpost.proxy.pubsub.LocalChannelHub;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * One hold's surroundings in memory: a client channel whose clock stands still until {@link #advance}, a hub, an owner
 * and an observer that record what happened. Published items are written as the publish API's JSON.
 */
final class HoldFixture implements AutoCloseable {
    final EmbeddedChannel ch;
    final LocalChannelHub hub = new LocalChannelHub();
    final RecordingOwner owner = new RecordingOwner();
    /** What the hold reported, as short strings: {@code delivered c:id}, {@code not-delivered c:id filtered}, ... */
    final List<String> seen = new CopyOnWriteArrayList<>();

    /** A client channel with {@code before} (say, the HTTP codec) ahead of the hold's own handler. */
    HoldFixture(ChannelHandler... before) {
        ch = new EmbeddedChannel();
        ch.freezeTime();
        ch.pipeline().addLast(before);
        ch.pipeline().addLast("hold", new ChannelInboundHandlerAdapter());
        owner.observer = new ConnectionObserver(new Recorder(), "test");
    }

    /** What the connection's holds share: this fixture's hub, the owner's drops and observer; links can't be sent. */
    HoldContext context() {
        return new HoldContext(hub, owner.drops, owner.observer, "test-conn", HoldSupport.QUEUE_MAX, null);
    }

    /** The context a hold writes through. */
    ChannelHandlerContext ctx() {
        return ch.pipeline().context("hold");
    }

    /** Publishes {@code json} (a publish API body) and runs the deliveries. */
    void publish(String json) {
        try {
            publish(PublishParser.parse(json.getBytes(StandardCharsets.UTF_8)));
        } catch (PublishFormatException e) {
            throw new IllegalArgumentException(e);
        }
    }

    void publish(List<PublishItem> items) {
        hub.publish(items);
        ch.runPendingTasks();
    }

    /** Moves the channel's clock on and runs what became due. */
    void advance(long amount, TimeUnit unit) {
        ch.advanceTimeBy(amount, unit);
        ch.runScheduledPendingTasks();
        ch.runPendingTasks();
    }

    /** Everything written since the last call, in order; the caller releases it. */
    List<Object> written() {
        List<Object> out = new ArrayList<>();
        Object o;
        while ((o = ch.readOutbound()) != null) {
            out.add(o);
        }
        return out;
    }

    /** Drops whatever was written since the last call. */
    void discardWritten() {
        written().forEach(ReferenceCountUtil::release);
    }

    /** Closes the channel; true when something was left unread or unreleased. */
    boolean finish() {
        return ch.finishAndReleaseAll();
    }

    @Override
    public void close() {
        ch.finishAndReleaseAll();
        hub.close();
    }

    private final class Recorder implements ProxyObserver {
        @Override
        public void holdEnded(String connId, String reason) {
            seen.add("hold-ended " + reason);
        }

        @Override
        public void delivered(String connId, String channel, PublishItem item) {
            seen.add("delivered " + channel + ":" + item.id());
        }

        @Override
        public void notDelivered(String connId, String channel, PublishItem item, DropReason reason) {
            seen.add("not-delivered " + channel + ":" + item.id() + " " + reason.label());
        }

        @Override
        public void keepAliveSent(String connId) {
            seen.add("keep-alive");
        }
    }
}
