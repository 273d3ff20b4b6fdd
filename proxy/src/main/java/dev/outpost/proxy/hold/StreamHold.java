package dev.outpost.proxy.hold;

import dev.outpost.grip.instruct.KeepAlive;
import dev.outpost.grip.instruct.KeepAliveMode;
import dev.outpost.grip.publish.HttpStreamFormat;
import dev.outpost.grip.publish.PublishAction;
import dev.outpost.grip.publish.PublishItem;
import dev.outpost.proxy.pubsub.ChannelHub;
import dev.outpost.proxy.pubsub.DeliveryFormat;
import dev.outpost.proxy.pubsub.Subscriber;
import dev.outpost.proxy.pubsub.Subscription;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stream ({@code Grip-Hold: stream}): the origin's head and body go out at once, chunked, then each published
 * {@code http-stream} content is appended until a {@code close} item or the client leaves.
 *
 * <p>Items wait in a queue (at most {@value HoldSupport#QUEUE_MAX}, then dropped) while the client socket is not
 * writable; keep-alive timers skip their turn meanwhile. Runs entirely on the client channel's event loop.
 */
public final class StreamHold implements Hold, Subscriber {
    private static final Logger log = LoggerFactory.getLogger(StreamHold.class);
    /** Marks a {@code close} item in {@link #queue}. */
    private static final Object CLOSE = new Object();

    private final ChannelHandlerContext ctx;
    private final ChannelHub hub;
    private final List<String> channels;
    private final HeldResponse head;
    private final KeepAlive keepAlive;
    private final HttpVersion version;
    private final boolean clientKeepAlive;
    private final boolean headRequest;
    private final HoldOwner owner;
    private final List<Subscription> subscriptions = new ArrayList<>();
    /** Published contents not yet written; owned here, released on {@link #clientClosed()}. */
    private final ArrayDeque<Object> queue = new ArrayDeque<>();
    private ScheduledFuture<?> keepAliveTimer;
    private long lastWriteNanos;
    private boolean chunked;
    private boolean done;

    public StreamHold(ChannelHandlerContext ctx, ChannelHub hub, List<String> channels, HeldResponse head,
            KeepAlive keepAlive, HttpVersion version, boolean clientKeepAlive, boolean headRequest, HoldOwner owner) {
        this.ctx = ctx;
        this.hub = hub;
        this.channels = List.copyOf(channels);
        this.head = head;
        this.keepAlive = keepAlive;
        this.version = version;
        this.clientKeepAlive = clientKeepAlive;
        this.headRequest = headRequest;
        this.owner = owner;
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
        ctx.flush();
        lastWriteNanos = System.nanoTime();
        return true;
    }

    /** Appends more of the origin's initial body (takes ownership of {@code content}). */
    public io.netty.channel.ChannelFuture writeInitial(ByteBuf content) {
        lastWriteNanos = System.nanoTime();
        return ctx.writeAndFlush(new DefaultHttpContent(content));
    }

    /** Joins the channels and starts the keep-alive timer. */
    public void subscribe() {
        if (done) {
            return;
        }
        for (String c : channels) {
            subscriptions.add(hub.subscribe(c, this));
        }
        if (keepAlive != null) {
            scheduleKeepAlive(keepAlive.timeoutSeconds() * 1000L);
        }
        log.debug("streaming on {}", channels);
    }

    @Override
    public DeliveryFormat format() {
        return DeliveryFormat.HTTP_STREAM;
    }

    @Override
    public EventExecutor executor() {
        return ctx.executor();
    }

    @Override
    public void onMessage(String channel, PublishItem item, ByteBuf payload) {
        HttpStreamFormat f = item.httpStream();
        if (done || f == null || f.action() == PublishAction.HINT || f.action() == PublishAction.REFRESH) {
            payload.release();
            return;
        }
        if (queue.size() >= HoldSupport.QUEUE_MAX) {
            log.warn("publish queue at max: dropping item {} on {}", item.id(), channel);
            payload.release();
            return;
        }
        if (f.action() == PublishAction.CLOSE) {
            payload.release();
            queue.add(CLOSE);
        } else {
            queue.add(payload);
        }
        drain();
    }

    private void drain() {
        boolean wrote = false;
        while (!done && !queue.isEmpty() && ctx.channel().isWritable()) {
            Object o = queue.poll();
            if (o == CLOSE) {
                finish();
                break;
            }
            ByteBuf b = (ByteBuf) o;
            if (b.isReadable()) {
                ctx.write(new DefaultHttpContent(b));
                wrote = true;
            } else {
                b.release();
            }
        }
        if (wrote) {
            ctx.flush();
            lastWriteNanos = System.nanoTime();
        }
    }

    private void finish() {
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
        if (done) {
            return;
        }
        long period = keepAlive.timeoutSeconds() * 1000L;
        if (keepAlive.mode() == KeepAliveMode.IDLE) {
            long idle = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastWriteNanos);
            if (idle + 1000 < period) {
                scheduleKeepAlive(period - idle);
                return;
            }
        }
        if (queue.isEmpty() && ctx.channel().isWritable()) {
            ctx.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(keepAlive.content())));
            lastWriteNanos = System.nanoTime();
        }
        scheduleKeepAlive(period);
    }

    private void cancel() {
        if (keepAliveTimer != null) {
            keepAliveTimer.cancel(false);
            keepAliveTimer = null;
        }
        for (Subscription s : subscriptions) {
            s.close();
        }
        subscriptions.clear();
        Object o;
        while ((o = queue.poll()) != null) {
            if (o instanceof ByteBuf b) {
                b.release();
            }
        }
    }

    @Override
    public void clientClosed() {
        done = true;
        cancel();
    }

    @Override
    public void shutdown() {
        if (!done) {
            queue.add(CLOSE);
            drain();
        }
    }

    @Override
    public void clientWritable() {
        drain();
    }
}
