package dev.outpost.proxy.hold;

import dev.outpost.grip.instruct.HoldMode;
import dev.outpost.grip.instruct.KeepAlive;
import dev.outpost.grip.instruct.KeepAliveMode;
import dev.outpost.grip.instruct.NextLink;
import dev.outpost.grip.publish.HttpStreamFormat;
import dev.outpost.grip.publish.PublishAction;
import dev.outpost.grip.publish.PublishItem;
import dev.outpost.proxy.observe.DropReason;
import dev.outpost.proxy.pubsub.Delivery;
import dev.outpost.proxy.pubsub.DeliveryFilter;
import dev.outpost.proxy.pubsub.DeliveryFormat;
import dev.outpost.proxy.pubsub.Drops;
import dev.outpost.proxy.pubsub.FilterInputs;
import dev.outpost.proxy.pubsub.Subscriber;
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
import java.util.List;
import java.util.Map;
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
 * link's timeout ({@link LinkTimer}). {@link NextLinks} fetches them; the fetched body is appended and its
 * instructions replace the current ones. A channel with {@code prev-id} needs a next link, else the stream ends.
 *
 * <p>Items wait in a queue (at most {@code stream_queue_max}, then dropped and reported) while the client
 * socket is not writable or a link is being fetched; keep-alive timers skip their turn meanwhile. Runs entirely on
 * the client channel's event loop.
 */
public final class StreamHold implements Hold, Subscriber, FilterInputs, NextStep.Listener {
    private static final Logger log = LoggerFactory.getLogger(StreamHold.class);

    private record Queued(String channel, PublishItem item, ByteBuf payload) {}

    private final ChannelHandlerContext ctx;
    private final HoldContext hc;
    private final StreamChannels chans;
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
    private final boolean debug;
    private final HoldOwner owner;
    private final NextStep.Source links;
    private final LinkTimer linkTimer;
    /**
     * Published items not yet written; their payloads are owned here, released on {@link #clientClosed()}. Made
     * when the client first falls behind.
     */
    private ArrayDeque<Queued> queue;
    /** The drops of this stream, made at the first; summed up in one log line when the stream ends. */
    private Drops.Tally drops;

    private ScheduledFuture<?> keepAliveTimer;
    private long lastWriteNanos;
    private boolean chunked;
    private boolean subscribed;
    private boolean fetching;
    private boolean needUpdate;
    private boolean done;

    /** A stream for {@code handoff} on the client's {@code ctx}, with the connection's {@code hc}. */
    public StreamHold(ChannelHandlerContext ctx, HoldContext hc, HoldHandoff handoff, HoldOwner owner) {
        this(ctx, hc, handoff, owner, NextLinks.of(ctx.executor(), hc, handoff));
    }

    /** A stream whose next links come from {@code links}. */
    StreamHold(ChannelHandlerContext ctx, HoldContext hc, HoldHandoff handoff, HoldOwner owner, NextStep.Source links) {
        this.ctx = ctx;
        this.hc = hc;
        this.chans = new StreamChannels(handoff.channels());
        this.head = handoff.response();
        this.keepAlive = handoff.instruction().keepAlive();
        this.version = handoff.client().version();
        this.clientKeepAlive = handoff.client().keepAlive();
        this.headRequest = handoff.client().headRequest();
        this.debug = handoff.debug();
        this.owner = owner;
        this.links = links;
        this.linkTimer = new LinkTimer(ctx.executor(), this::update);
        this.meta = handoff.instruction().meta();
        this.nextLink = handoff.links().next();
        this.noHold = handoff.instruction().noHold();
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
        chans.subscribeAll(hc.hub(), this);
        if (keepAlive != null) {
            scheduleKeepAlive(keepAlive.timeoutSeconds() * 1000L);
        }
        if (log.isDebugEnabled()) {
            log.debug("streaming on {}", chans.names());
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
            for (HoldChannel c : chans.all()) {
                if (c.prevId() != null) {
                    error("channel '" + c.name() + "' specifies prev-id, but no next link found");
                    return;
                }
            }
        }
        if (first) {
            boolean conflict = false;
            for (HoldChannel c : chans.all()) {
                String last = c.prevId() == null ? null : hc.hub().lastId(c.name());
                if (last != null && !last.equals(c.prevId())) {
                    log.debug(
                            "last ID inconsistency on {} (got {}, expected {}): next link", c.name(), c.prevId(), last);
                    hc.hub().forgetLastId(c.name());
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
            HoldChannel c = chans.get(q.channel());
            if (c != null && (c.prevId() == null || c.prevId().equals(q.item().prevId()))) {
                break;
            }
            queue.poll().payload().release();
        }
        linkTimer.arm(done ? null : nextLink);
        drain();
        if (needUpdate) {
            needUpdate = false;
            update();
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
        Map<String, String> last = chans.lastIds();
        linkTimer.cancel();
        fetching = true;
        if (!links.fetch(nextLink.uri(), last, this)) {
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
            chans.replaceAll(step.channels());
            chans.subscribeAll(hc.hub(), this);
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
            log.info("stream for {}: {}", hc.connectionId(), why);
            error("Failed to retrieve next link.");
        }
    }

    /** Ends the stream after an error; with debug on the client sees the message, as in Pushpin. */
    private void error(String message) {
        if (done) {
            return;
        }
        log.debug("stream for {} ends: {}", hc.connectionId(), message);
        if (debug) {
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
        if (done || item.httpStream() == null || chans.get(channel) == null) {
            hc.observer()
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
        } else if (queue.size() >= hc.streamQueueMax()) {
            hc.observer().notDelivered(channel, item, DropReason.DROPPED_QUEUE_FULL);
            payload.release();
            if (drops == null) {
                drops = hc.drops().tally(hc.connectionId());
            }
            drops.drop(
                    "session_queue",
                    channel,
                    (item.id() == null ? "an item" : "item " + item.id()) + ": publish queue at max (stream_queue_max "
                            + hc.streamQueueMax() + "), client not reading");
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
                || (c = chans.get(channel)) == null
                || c.prevId() != null
                || !c.filters().isEmpty()
                || !f.contentFilters().isEmpty()
                || !ctx.channel().isWritable()
                || wire() == null
                || (chunk = d.derived(StreamChunk.FRAMED)) == null) {
            receive(channel, item, d.payload().retainedDuplicate());
            return;
        }
        hc.observer().delivered(channel, item);
        wire.write(chunk.retainedDuplicate(), wire.voidPromise());
        wire.flush();
        lastWriteNanos = now();
        linkTimer.active(channel, chans.all(), nextLink);
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
            HoldChannel c = chans.get(q.channel());
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
                hc.hub().forgetLastId(q.channel());
                hc.observer().notDelivered(q.channel(), q.item(), DropReason.DROPPED_SEQUENCE);
                clearQueue();
                update();
                break;
            }
            queue.poll();
            ByteBuf out = DeliveryFilter.apply(this, q.channel(), q.item(), DeliveryFormat.HTTP_STREAM, q.payload());
            if (c.prevId() != null) {
                chans.replace(c, new HoldChannel(c.name(), q.item().id(), c.filters()));
            }
            if (out == null) {
                hc.observer().notDelivered(q.channel(), q.item(), DropReason.FILTERED);
                continue;
            }
            HttpStreamFormat f = q.item().httpStream();
            switch (f.action()) {
                case SEND -> hc.observer().delivered(q.channel(), q.item());
                case HINT -> hc.observer().acted(q.channel(), q.item(), "hint");
                case CLOSE -> hc.observer().acted(q.channel(), q.item(), "close");
                default -> hc.observer().notDelivered(q.channel(), q.item(), DropReason.UNSUPPORTED_ACTION);
            }
            switch (f.action()) {
                case SEND -> {
                    if (out.isReadable()) {
                        ctx.write(new DefaultHttpContent(out));
                        wrote = true;
                    } else {
                        out.release();
                    }
                    linkTimer.active(q.channel(), chans.all(), nextLink);
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
            hc.observer().keepAliveSent();
            lastWriteNanos = now();
        }
        scheduleKeepAlive(period);
    }

    private void cancel() {
        if (keepAliveTimer != null) {
            keepAliveTimer.cancel(false);
            keepAliveTimer = null;
        }
        linkTimer.cancel();
        links.cancel();
        chans.unsubscribeAll();
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
        HoldChannel c = chans.get(channel);
        return c == null ? List.of() : c.filters();
    }

    @Override
    public boolean subscribedTo(String channel) {
        return chans.get(channel) != null;
    }

    @Override
    public Map<String, String> lastIds() {
        return chans.lastIds();
    }

    @Override
    public String connectionId() {
        return hc.connectionId();
    }

    @Override
    public void clientClosed() {
        done = true;
        cancel();
        links.clientLeft();
    }

    /**
     * The origin broke off inside the initial body: the stream can't be completed. As {@link #clientClosed()}, but
     * the client is still there, so no gone link is posted.
     */
    public void cut() {
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
