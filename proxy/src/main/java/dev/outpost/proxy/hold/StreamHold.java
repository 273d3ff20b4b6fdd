package dev.outpost.proxy.hold;

import dev.outpost.grip.instruct.HoldMode;
import dev.outpost.grip.instruct.KeepAlive;
import dev.outpost.grip.instruct.KeepAliveMode;
import dev.outpost.grip.instruct.NextLink;
import dev.outpost.grip.publish.HttpStreamFormat;
import dev.outpost.grip.publish.PublishAction;
import dev.outpost.grip.publish.PublishItem;
import dev.outpost.proxy.observe.DropReason;
import dev.outpost.proxy.pubsub.ChannelHub;
import dev.outpost.proxy.pubsub.Delivery;
import dev.outpost.proxy.pubsub.DeliveryFilter;
import dev.outpost.proxy.pubsub.DeliveryFormat;
import dev.outpost.proxy.pubsub.Drops;
import dev.outpost.proxy.pubsub.FilterInputs;
import dev.outpost.proxy.pubsub.Subscriber;
import dev.outpost.proxy.pubsub.Subscription;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stream ({@code Grip-Hold: stream}, or no hold with a {@code Grip-Link rel=next}): the origin's head and body go
 * out at once, chunked, then each published {@code http-stream} content is appended until a {@code close} item, the
 * end of the links, or the client leaves.
 *
 * <p>Next links ({@code handler/httpsession.cpp} rules): fetched at once when there is no hold; otherwise on a
 * {@code hint} item, on a {@code prev-id} gap, on {@link #update()}, and when not every channel saw an item within the
 * link's timeout. The fetched body is appended and its instructions replace the current ones. A channel with
 * {@code prev-id} needs a next link, else the stream ends.
 *
 * <p>Items wait in a queue (at most {@code stream_queue_max}, then dropped and reported) while the client
 * socket is not writable or a link is being fetched; keep-alive timers skip their turn meanwhile. Runs entirely on
 * the client channel's event loop.
 */
public final class StreamHold implements Hold, Subscriber, FilterInputs, NextStep.Listener {
    private static final Logger log = LoggerFactory.getLogger(StreamHold.class);

    private record Queued(String channel, PublishItem item, ByteBuf payload) {}

    private static final Subscription[] NO_SUBSCRIPTIONS = new Subscription[0];

    private final ChannelHandlerContext ctx;
    private final ChannelHub hub;
    /**
     * The channels, distinct by name, in order; usually one. An array rather than a map: it lives as long as the
     * held connection, and a delivery finds its channel without a hash lookup.
     */
    private HoldChannel[] chans;
    /** The HTTP codec's context: a pre-framed chunk written there bypasses the encoder. Looked up on first use. */
    private ChannelHandlerContext wire;
    /** Until the head is written; not kept for the life of the stream. */
    private HeldResponse head;

    private KeepAlive keepAlive;
    private Map<String, String> meta;
    private NextLink nextLink;
    private boolean noHold;
    private final HttpVersion version;
    private final boolean clientKeepAlive;
    private final boolean headRequest;
    private final HoldOwner owner;
    /** One per subscribed channel (matched by {@link Subscription#channel()}). */
    private Subscription[] subscriptions = NO_SUBSCRIPTIONS;
    /**
     * Published items not yet written; their payloads are owned here, released on {@link #clientClosed()}. Made
     * when the client first falls behind.
     */
    private ArrayDeque<Queued> queue;
    /** Channels that saw an item since the next-link timer was armed; only with a next link. */
    private Set<String> activeChannels;

    /** The drops of this stream, made at the first; summed up in one log line when the stream ends. */
    private Drops.Tally drops;

    private ScheduledFuture<?> keepAliveTimer;
    private ScheduledFuture<?> nextTimer;
    private long lastWriteNanos;
    private boolean chunked;
    private boolean subscribed;
    private boolean fetching;
    private boolean needUpdate;
    private boolean done;

    /** A stream for {@code handoff} on the client's {@code ctx}, subscribing through {@code hub}. */
    public StreamHold(ChannelHandlerContext ctx, ChannelHub hub, HoldHandoff handoff, HoldOwner owner) {
        this.ctx = ctx;
        this.hub = hub;
        this.chans = distinct(handoff.channels());
        this.head = handoff.response();
        this.keepAlive = handoff.keepAlive();
        this.version = handoff.client().version();
        this.clientKeepAlive = handoff.client().keepAlive();
        this.headRequest = handoff.client().headRequest();
        this.owner = owner;
        this.meta = handoff.meta();
        this.nextLink = handoff.nextLink();
        this.noHold = handoff.noHold();
    }

    @Override
    public void start() {
        if (writeHead()) {
            subscribe();
        }
    }

    /**
     * Sends the head and the initial body only: the caller relays more of the origin's body with
     * {@link #writeInitial} and then calls {@link #subscribe()}. Returns false when the hold is already over (HEAD).
     */
    public boolean writeHead() {
        HttpResponse r = new DefaultHttpResponse(version, HoldSupport.status(head.code(), head.reason()));
        HoldSupport.copyHeaders(head.headers(), r);
        r.headers().remove("Content-Length").remove("Transfer-Encoding").remove("Connection");
        if (headRequest) {
            HttpUtil.setKeepAlive(r, clientKeepAlive);
            done = true;
            ctx.writeAndFlush(r).addListener(f -> owner.holdFinished(clientKeepAlive && f.isSuccess()));
            return false;
        }
        chunked = version.isKeepAliveDefault();
        if (chunked) {
            HttpUtil.setTransferEncodingChunked(r, true);
        } else {
            // HTTP/1.0: the end of the stream is the end of the connection
            HttpUtil.setKeepAlive(r, false);
        }
        ctx.write(r);
        if (head.body().length > 0) {
            ctx.write(new DefaultHttpContent(Unpooled.wrappedBuffer(head.body())));
        }
        head = null;
        ctx.flush();
        lastWriteNanos = now();
        return true;
    }

    /** Appends more of the origin's initial body (takes ownership of {@code content}). */
    public ChannelFuture writeInitial(ByteBuf content) {
        lastWriteNanos = now();
        return ctx.writeAndFlush(new DefaultHttpContent(content));
    }

    /** Joins the channels and starts the timers (or, without a hold, follows the next link). */
    public void subscribe() {
        if (done) {
            return;
        }
        subscribed = true;
        subscribeAll();
        if (keepAlive != null) {
            scheduleKeepAlive(keepAlive.timeoutSeconds() * 1000L);
        }
        if (log.isDebugEnabled()) {
            log.debug("streaming on {}", names());
        }
        held(true);
    }

    /** The current instructions are in place: check prev-ids, send what waits, arm the next-link timer. */
    private void held(boolean first) {
        if (noHold) {
            if (nextLink != null) {
                update();
            } else {
                finish();
            }
            return;
        }
        if (nextLink == null) {
            for (HoldChannel c : chans) {
                if (c.prevId() != null) {
                    error("channel '" + c.name() + "' specifies prev-id, but no next link found");
                    return;
                }
            }
        }
        if (first) {
            boolean conflict = false;
            for (HoldChannel c : chans) {
                String last = c.prevId() == null ? null : hub.lastId(c.name());
                if (last != null && !last.equals(c.prevId())) {
                    log.debug(
                            "last ID inconsistency on {} (got {}, expected {}): next link", c.name(), c.prevId(), last);
                    hub.forgetLastId(c.name());
                    conflict = true;
                }
            }
            if (conflict) {
                update();
                return;
            }
        }
        // items that don't follow the new instructions are stale
        while (queue != null && !queue.isEmpty()) {
            Queued q = queue.peek();
            HoldChannel c = channel(q.channel());
            if (c != null && (c.prevId() == null || c.prevId().equals(q.item().prevId()))) {
                break;
            }
            queue.poll().payload().release();
        }
        armNextTimer();
        drain();
        if (needUpdate) {
            needUpdate = false;
            update();
        }
    }

    private void armNextTimer() {
        cancelNextTimer();
        if (nextLink != null && nextLink.timeoutSeconds() >= 0 && !done) {
            if (activeChannels != null) {
                activeChannels.clear();
            }
            nextTimer = ctx.executor()
                    .schedule(
                            () -> {
                                nextTimer = null;
                                update();
                            },
                            Math.max(1, nextLink.timeoutSeconds()),
                            TimeUnit.SECONDS);
        }
    }

    private void cancelNextTimer() {
        if (nextTimer != null) {
            nextTimer.cancel(false);
            nextTimer = null;
        }
    }

    /** Fetches the next link now (hint, gap, recovery, first subscription). Without a link there is nothing to do. */
    @Override
    public void update() {
        if (done || nextLink == null) {
            return;
        }
        if (fetching || !subscribed) {
            needUpdate = true;
            return;
        }
        Map<String, String> last = HoldSupport.lastIds(Arrays.asList(chans));
        cancelNextTimer();
        fetching = true;
        if (!owner.fetchNext(nextLink.uri(), last, this)) {
            fetching = false;
            error("Instruct contained link, but links can't be followed here.");
        }
    }

    @Override
    public void next(NextStep step) {
        fetching = false;
        if (done) {
            return;
        }
        if (step.body().length > 0) {
            ctx.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(step.body())));
            lastWriteNanos = now();
        }
        if (step.hold() == HoldMode.RESPONSE) {
            error("Next link returned non-stream hold.");
            return;
        }
        nextLink = step.nextLink();
        meta = step.meta();
        noHold = step.hold() == null;
        if (!noHold) {
            chans = distinct(step.channels());
            List<Subscription> kept = new ArrayList<>(subscriptions.length);
            for (Subscription sub : subscriptions) {
                if (channel(sub.channel()) != null) {
                    kept.add(sub);
                } else {
                    sub.close();
                }
            }
            subscriptions = kept.toArray(NO_SUBSCRIPTIONS);
            subscribeAll();
            if (keepAliveTimer != null) {
                keepAliveTimer.cancel(false);
                keepAliveTimer = null;
            }
            keepAlive = step.keepAlive();
            if (keepAlive != null) {
                scheduleKeepAlive(keepAlive.timeoutSeconds() * 1000L);
            }
        }
        held(false);
    }

    @Override
    public void nextFailed(String why) {
        fetching = false;
        if (!done) {
            log.info("stream for {}: {}", owner.connectionId(), why);
            error("Failed to retrieve next link.");
        }
    }

    /** Ends the stream after an error; with debug on the client sees the message, as in Pushpin. */
    private void error(String message) {
        if (done) {
            return;
        }
        log.debug("stream for {} ends: {}", owner.connectionId(), message);
        if (owner.debug()) {
            ctx.write(new DefaultHttpContent(Unpooled.copiedBuffer("\n\n" + message + "\n", StandardCharsets.UTF_8)));
        }
        finish();
    }

    @Override
    public DeliveryFormat format() {
        return DeliveryFormat.HTTP_STREAM;
    }

    @Override
    public EventExecutor executor() {
        return ctx.executor();
    }

    /** One published item, queued and written in turn; {@code payload} (the content) is owned here. */
    private void receive(String channel, PublishItem item, ByteBuf payload) {
        if (done || item.httpStream() == null || channel(channel) == null) {
            owner.observer()
                    .notDelivered(
                            channel,
                            item,
                            done
                                    ? DropReason.CLOSED
                                    : item.httpStream() == null ? DropReason.NO_FORMAT : DropReason.CLOSED);
            payload.release();
            return;
        }
        if (queue == null) {
            queue = new ArrayDeque<>(2); // grows when the client reads slowly
        } else if (queue.size() >= owner.streamQueueMax()) {
            owner.observer().notDelivered(channel, item, DropReason.DROPPED_QUEUE_FULL);
            payload.release();
            if (drops == null) {
                drops = owner.drops().tally(owner.connectionId());
            }
            drops.drop(
                    "session_queue",
                    channel,
                    (item.id() == null ? "an item" : "item " + item.id()) + ": publish queue at max (stream_queue_max "
                            + owner.streamQueueMax() + "), client not reading");
            return;
        }
        queue.add(new Queued(channel, item, payload));
        drain();
    }

    /**
     * One published item. The fast path: nothing waits, the item goes out as is (no filters, no prev-id, a plain
     * send), so this loop's chunk of it ({@link StreamChunk#FRAMED}, shared by the loop's streams) is written below
     * the HTTP encoder, whose chunked state stays as it is for the last chunk. Otherwise the item takes its turn.
     */
    @Override
    public void deliver(Delivery d) {
        String channel = d.channel();
        PublishItem item = d.item();
        HttpStreamFormat f = item.httpStream();
        HoldChannel c;
        ByteBuf chunk;
        if (f == null
                || f.action() != PublishAction.SEND
                || done
                || fetching
                || !subscribed
                || !chunked
                || (queue != null && !queue.isEmpty())
                || (c = channel(channel)) == null
                || c.prevId() != null
                || !c.filters().isEmpty()
                || !f.contentFilters().isEmpty()
                || !ctx.channel().isWritable()
                || wire() == null
                || (chunk = d.derived(StreamChunk.FRAMED)) == null) {
            receive(channel, item, d.payload().retainedDuplicate());
            return;
        }
        owner.observer().delivered(channel, item);
        wire.write(chunk.retainedDuplicate(), wire.voidPromise());
        wire.flush();
        lastWriteNanos = now();
        active(channel);
    }

    private HoldChannel channel(String name) {
        for (HoldChannel c : chans) {
            if (c.name().equals(name)) {
                return c;
            }
        }
        return null;
    }

    /** Later entries of a name replace earlier ones in place, as a map's put would. */
    private static HoldChannel[] distinct(List<HoldChannel> channels) {
        List<HoldChannel> out = new ArrayList<>(channels.size());
        outer:
        for (HoldChannel c : channels) {
            for (int i = 0; i < out.size(); i++) {
                if (out.get(i).name().equals(c.name())) {
                    out.set(i, c);
                    continue outer;
                }
            }
            out.add(c);
        }
        return out.toArray(new HoldChannel[0]);
    }

    private List<String> names() {
        List<String> n = new ArrayList<>(chans.length);
        for (HoldChannel c : chans) {
            n.add(c.name());
        }
        return n;
    }

    /** Subscribes to each channel not yet subscribed. */
    private void subscribeAll() {
        for (HoldChannel c : chans) {
            boolean have = false;
            for (Subscription sub : subscriptions) {
                have |= sub.channel().equals(c.name());
            }
            if (!have) {
                Subscription[] more = Arrays.copyOf(subscriptions, subscriptions.length + 1);
                more[subscriptions.length] = hub.subscribe(c.name(), this);
                subscriptions = more;
            }
        }
    }

    /** The loop's clock (the one its timers run on), so that idle keep-alives and timers agree. */
    private long now() {
        return ctx.executor().ticker().nanoTime();
    }

    private ChannelHandlerContext wire() {
        if (wire == null) {
            wire = ctx.pipeline().context(HttpServerCodec.class);
        }
        return wire;
    }

    private void drain() {
        boolean wrote = false;
        while (!done
                && !fetching
                && subscribed
                && queue != null
                && !queue.isEmpty()
                && ctx.channel().isWritable()) {
            Queued q = queue.peek();
            HoldChannel c = channel(q.channel());
            if (c == null) {
                queue.poll().payload().release();
                continue;
            }
            if (c.prevId() != null && !c.prevId().equals(q.item().prevId())) {
                log.debug(
                        "last ID inconsistency on {} (got {}, expected {}): next link",
                        q.channel(),
                        q.item().prevId(),
                        c.prevId());
                hub.forgetLastId(q.channel());
                owner.observer().notDelivered(q.channel(), q.item(), DropReason.DROPPED_SEQUENCE);
                clearQueue();
                update();
                break;
            }
            queue.poll();
            ByteBuf out = DeliveryFilter.apply(this, q.channel(), q.item(), DeliveryFormat.HTTP_STREAM, q.payload());
            if (c.prevId() != null) {
                replace(c, new HoldChannel(c.name(), q.item().id(), c.filters()));
            }
            if (out == null) {
                owner.observer().notDelivered(q.channel(), q.item(), DropReason.FILTERED);
                continue;
            }
            HttpStreamFormat f = q.item().httpStream();
            switch (f.action()) {
                case SEND -> owner.observer().delivered(q.channel(), q.item());
                case HINT -> owner.observer().acted(q.channel(), q.item(), "hint");
                case CLOSE -> owner.observer().acted(q.channel(), q.item(), "close");
                default -> owner.observer().notDelivered(q.channel(), q.item(), DropReason.UNSUPPORTED_ACTION);
            }
            switch (f.action()) {
                case SEND -> {
                    if (out.isReadable()) {
                        ctx.write(new DefaultHttpContent(out));
                        wrote = true;
                    } else {
                        out.release();
                    }
                    active(q.channel());
                }
                case HINT -> {
                    out.release();
                    clearQueue();
                    update();
                }
                case CLOSE -> {
                    out.release();
                    if (wrote) {
                        ctx.flush();
                        wrote = false;
                    }
                    finish();
                }
                default -> out.release();
            }
        }
        if (wrote) {
            ctx.flush();
            lastWriteNanos = now();
        }
    }

    /** Every channel saw an item: the next link is not stale yet. */
    private void active(String channel) {
        if (nextLink == null || nextTimer == null) {
            return;
        }
        if (activeChannels == null) {
            activeChannels = new HashSet<>();
        }
        activeChannels.add(channel);
        for (HoldChannel c : chans) {
            if (!activeChannels.contains(c.name())) {
                return;
            }
        }
        armNextTimer();
    }

    private void replace(HoldChannel old, HoldChannel now) {
        for (int i = 0; i < chans.length; i++) {
            if (chans[i] == old) {
                chans[i] = now;
            }
        }
    }

    private void clearQueue() {
        Queued q;
        while (queue != null && (q = queue.poll()) != null) {
            q.payload().release();
        }
    }

    private void finish() {
        if (done) {
            return;
        }
        done = true;
        cancel();
        boolean reuse = chunked && clientKeepAlive;
        ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT)
                .addListener(f -> owner.holdFinished(reuse && f.isSuccess()));
    }

    private void scheduleKeepAlive(long periodMillis) {
        // Pushpin takes up to a second off each period so that many streams don't fire together
        long delay = Math.max(1, periodMillis - ThreadLocalRandom.current().nextLong(1000));
        keepAliveTimer = ctx.executor().schedule(this::keepAliveDue, delay, TimeUnit.MILLISECONDS);
    }

    private void keepAliveDue() {
        KeepAlive ka = keepAlive;
        if (done || ka == null) {
            return;
        }
        long period = ka.timeoutSeconds() * 1000L;
        if (ka.mode() == KeepAliveMode.IDLE) {
            long idle = TimeUnit.NANOSECONDS.toMillis(now() - lastWriteNanos);
            if (idle + 1000 < period) {
                scheduleKeepAlive(period - idle);
                return;
            }
        }
        if ((queue == null || queue.isEmpty()) && !fetching && ctx.channel().isWritable()) {
            ctx.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(ka.content())));
            owner.observer().keepAliveSent();
            lastWriteNanos = now();
        }
        scheduleKeepAlive(period);
    }

    private void cancel() {
        if (keepAliveTimer != null) {
            keepAliveTimer.cancel(false);
            keepAliveTimer = null;
        }
        cancelNextTimer();
        for (Subscription s : subscriptions) {
            s.close();
        }
        subscriptions = NO_SUBSCRIPTIONS;
        clearQueue();
        if (drops != null) {
            drops.close();
            drops = null;
        }
    }

    @Override
    public Map<String, String> meta() {
        return meta;
    }

    @Override
    public List<String> filters(String channel) {
        HoldChannel c = channel(channel);
        return c == null ? List.of() : c.filters();
    }

    @Override
    public boolean subscribedTo(String channel) {
        return channel(channel) != null;
    }

    @Override
    public Map<String, String> lastIds() {
        return HoldSupport.lastIds(Arrays.asList(chans));
    }

    @Override
    public String connectionId() {
        return owner.connectionId();
    }

    @Override
    public void clientClosed() {
        done = true;
        cancel();
    }

    @Override
    public void shutdown() {
        if (!done) {
            if (fetching) {
                finish();
                return;
            }
            // what is queued goes out first, then the end
            drain();
            finish();
        }
    }

    @Override
    public void clientWritable() {
        drain();
    }
}
