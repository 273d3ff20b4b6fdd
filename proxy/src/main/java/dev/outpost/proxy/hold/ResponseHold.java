package dev.outpost.proxy.hold;

import dev.outpost.grip.publish.HttpResponseFormat;
import dev.outpost.grip.publish.PublishAction;
import dev.outpost.grip.publish.PublishItem;
import dev.outpost.proxy.observe.DropReason;
import dev.outpost.proxy.observe.Observe;
import dev.outpost.proxy.pubsub.ChannelHub;
import dev.outpost.proxy.pubsub.DeliveryFormat;
import dev.outpost.proxy.pubsub.Subscriber;
import dev.outpost.proxy.pubsub.Subscription;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A long-poll ({@code Grip-Hold: response}): the first published {@code http-response} on any of its channels
 * answers the request; otherwise the origin's own response is sent when {@code Grip-Timeout} expires.
 *
 * <p>Runs entirely on the client channel's event loop.
 */
public final class ResponseHold implements Hold, Subscriber {
    private static final Logger log = LoggerFactory.getLogger(ResponseHold.class);

    private final ChannelHandlerContext ctx;
    private final ChannelHub hub;
    private final List<String> channels;
    private final HeldResponse base;
    private final int timeoutSeconds;
    private final HttpVersion version;
    private boolean keepAlive;
    private final boolean headRequest;
    private final HoldOwner owner;
    private final List<Subscription> subscriptions = new ArrayList<>();
    private ScheduledFuture<?> timer;
    private boolean done;

    public ResponseHold(ChannelHandlerContext ctx, ChannelHub hub, List<String> channels, HeldResponse base,
            int timeoutSeconds, HttpVersion version, boolean keepAlive, boolean headRequest, HoldOwner owner) {
        this.ctx = ctx;
        this.hub = hub;
        this.channels = List.copyOf(channels);
        this.base = base;
        this.timeoutSeconds = timeoutSeconds;
        this.version = version;
        this.keepAlive = keepAlive;
        this.headRequest = headRequest;
        this.owner = owner;
    }

    @Override
    public void start() {
        for (String c : channels) {
            subscriptions.add(hub.subscribe(c, this));
        }
        timer = ctx.executor().schedule(this::timeout, timeoutSeconds, TimeUnit.SECONDS);
        log.debug("holding response on {} for {} s", channels, timeoutSeconds);
    }

    private void timeout() {
        if (done) {
            return;
        }
        timer = null;
        Observe.of(ctx).holdEnded(Observe.id(ctx), "timeout");
        respond(base.code(), base.reason(), base.headers(), Unpooled.wrappedBuffer(base.body()));
    }

    @Override
    public DeliveryFormat format() {
        return DeliveryFormat.HTTP_RESPONSE;
    }

    @Override
    public EventExecutor executor() {
        return ctx.executor();
    }

    @Override
    public void onMessage(String channel, PublishItem item, ByteBuf payload) {
        HttpResponseFormat f = item.httpResponse();
        if (done || f == null || f.action() != PublishAction.SEND) {
            // hint (re-ask the origin) is not supported yet: the item is dropped
            payload.release();
            return;
        }
        Observe.of(ctx).delivered(Observe.id(ctx), channel, item);
        respond(f.code(), f.reason(), merge(base.headers(), f.headers()), payload);
    }

    /** Published headers replace the held ones of the same name; the others are kept. */
    static List<Map.Entry<String, String>> merge(List<Map.Entry<String, String>> held,
            List<Map.Entry<String, String>> published) {
        Set<String> names = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        for (Map.Entry<String, String> e : published) {
            names.add(e.getKey());
        }
        List<Map.Entry<String, String>> out = new ArrayList<>();
        for (Map.Entry<String, String> e : held) {
            if (!names.contains(e.getKey())) {
                out.add(e);
            }
        }
        for (Map.Entry<String, String> e : published) {
            String lower = e.getKey().toLowerCase(Locale.ROOT);
            // framing is ours to decide
            if (!lower.equals("content-length") && !lower.equals("transfer-encoding") && !lower.equals("connection")) {
                out.add(e);
            }
        }
        return out;
    }

    private void respond(int code, String reason, List<Map.Entry<String, String>> headers, ByteBuf body) {
        FullHttpResponse r;
        try {
            r = new DefaultFullHttpResponse(version, HoldSupport.status(code, reason),
                    headRequest ? Unpooled.EMPTY_BUFFER : body.retainedSlice());
            try {
                HoldSupport.copyHeaders(headers, r);
            } catch (IllegalArgumentException e) {
                r.release();
                throw e;
            }
        } catch (IllegalArgumentException e) {
            // a header that can't go on the wire: the item is dropped and the request stays held
            log.warn("response on {} can't be sent: {}", channels, e.getMessage());
            body.release();
            if (timer == null && !done) {
                respond(502, "Bad Gateway", List.of(Map.entry("Content-Type", "text/plain")),
                        Unpooled.copiedBuffer("Error while proxying to origin.\n", java.nio.charset.StandardCharsets.UTF_8));
            }
            return;
        }
        int length = body.readableBytes();
        body.release();
        done = true;
        cancel();
        r.headers().remove("Content-Length").remove("Transfer-Encoding");
        HttpUtil.setContentLength(r, length);
        HttpUtil.setKeepAlive(r, keepAlive);
        ctx.writeAndFlush(r).addListener(f -> owner.holdFinished(keepAlive && f.isSuccess()));
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        for (Subscription s : subscriptions) {
            s.close();
        }
        subscriptions.clear();
    }

    @Override
    public void clientClosed() {
        done = true;
        cancel();
    }

    @Override
    public void shutdown() {
        keepAlive = false;
        timeout();
    }

    @Override
    public void clientWritable() {
        // a single response: nothing queued
    }
}
