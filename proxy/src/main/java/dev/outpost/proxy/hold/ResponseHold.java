package dev.outpost.proxy.hold;

import dev.outpost.grip.publish.HttpResponseFormat;
import dev.outpost.grip.publish.JsonPatch;
import dev.outpost.grip.publish.PublishAction;
import dev.outpost.grip.publish.PublishItem;
import dev.outpost.proxy.observe.DropReason;
import dev.outpost.proxy.pubsub.Delivery;
import dev.outpost.proxy.pubsub.DeliveryFilter;
import dev.outpost.proxy.pubsub.DeliveryFormat;
import dev.outpost.proxy.pubsub.FilterInputs;
import dev.outpost.proxy.pubsub.Subscriber;
import dev.outpost.proxy.pubsub.Subscription;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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
 * <p>With {@code prev-id} on a channel, the hold follows Pushpin's recovery rules: a channel whose known last ID
 * differs at hold time, or an item whose {@code prev-id} is not the hold's, makes the owner re-request the origin
 * with {@code Grip-Last} instead of delivering. A {@code hint} item, {@link #update()} and recovery do the same.
 * When the client leaves, the instruction's gone link is posted ({@link GoneLink}).
 *
 * <p>Runs entirely on the client channel's event loop.
 */
public final class ResponseHold implements Hold, Subscriber, FilterInputs {
    private static final Logger log = LoggerFactory.getLogger(ResponseHold.class);

    private final ChannelHandlerContext ctx;
    private final HoldContext hc;
    private final List<String> channels;
    /** Channel name to its current state; prevId moves on with each delivered item. */
    private final Map<String, HoldChannel> chans = new LinkedHashMap<>();

    private final Map<String, String> meta;
    private final HeldResponse base;
    private final int timeoutSeconds;
    private final HttpVersion version;
    private boolean keepAlive;
    private final boolean headRequest;
    private final HoldOwner owner;
    private final GoneLink gone;
    private final URI linkBase;
    private final List<Subscription> subscriptions = new ArrayList<>();
    private ScheduledFuture<?> timer;
    private boolean done;

    /** A long-poll for {@code handoff} on the client's {@code ctx}, with the connection's {@code hc}. */
    public ResponseHold(ChannelHandlerContext ctx, HoldContext hc, HoldHandoff handoff, HoldOwner owner) {
        this.ctx = ctx;
        this.hc = hc;
        this.channels = handoff.channels().stream().map(HoldChannel::name).toList();
        for (HoldChannel c : handoff.channels()) {
            chans.put(c.name(), c);
        }
        this.meta = handoff.instruction().meta();
        this.base = handoff.response();
        this.timeoutSeconds = handoff.instruction().timeoutSeconds();
        this.version = handoff.client().version();
        this.keepAlive = handoff.client().keepAlive();
        this.headRequest = handoff.client().headRequest();
        this.owner = owner;
        this.gone = new GoneLink(hc.links(), handoff.links().gone());
        this.linkBase = handoff.client().linkBase();
    }

    @Override
    public void start() {
        boolean conflict = false;
        for (HoldChannel c : chans.values()) {
            String last = c.prevId() == null ? null : hc.hub().lastId(c.name());
            if (last != null && !last.equals(c.prevId())) {
                log.debug("last ID inconsistency on {} (got {}, expected {}): retrying", c.name(), c.prevId(), last);
                hc.hub().forgetLastId(c.name());
                conflict = true;
            }
        }
        if (conflict) {
            // subscribes itself when the owner can't retry
            retry();
            return;
        }
        for (String c : channels) {
            subscriptions.add(hc.hub().subscribe(c, this));
        }
        timer = ctx.executor().schedule(this::timeout, timeoutSeconds, TimeUnit.SECONDS);
        log.debug("holding response on {} for {} s", channels, timeoutSeconds);
    }

    private void timeout() {
        if (done) {
            return;
        }
        timer = null;
        hc.observer().holdEnded("timeout");
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

    /** Re-requests the origin with the channels' prev-ids; true when the owner took the request over. */
    private boolean retry() {
        if (done) {
            return true;
        }
        Map<String, String> last = HoldSupport.lastIds(chans.values());
        done = true;
        cancel();
        if (owner.retry(last)) {
            return true;
        }
        // the owner can't go back to the origin: keep holding
        done = false;
        for (String c : channels) {
            subscriptions.add(hc.hub().subscribe(c, this));
        }
        timer = ctx.executor().schedule(this::timeout, timeoutSeconds, TimeUnit.SECONDS);
        return false;
    }

    @Override
    public void update() {
        if (!done) {
            retry();
        }
    }

    @Override
    public void deliver(Delivery d) {
        receive(d.channel(), d.item(), d.payload().retainedDuplicate());
    }

    /** One published item; {@code payload} (the {@code http-response} body) is owned here. */
    private void receive(String channel, PublishItem item, ByteBuf payload) {
        HttpResponseFormat f = item.httpResponse();
        HoldChannel c = chans.get(channel);
        if (done || f == null || c == null) {
            hc.observer().notDelivered(channel, item, f == null && !done ? DropReason.NO_FORMAT : DropReason.CLOSED);
            payload.release();
            return;
        }
        if (c.prevId() != null) {
            if (!c.prevId().equals(item.prevId())) {
                log.debug(
                        "last ID inconsistency on {} (got {}, expected {}): retrying",
                        channel,
                        item.prevId(),
                        c.prevId());
                payload.release();
                hc.observer().notDelivered(channel, item, DropReason.DROPPED_SEQUENCE);
                hc.hub().forgetLastId(channel);
                retry();
                return;
            }
            chans.put(channel, new HoldChannel(channel, item.id(), c.filters()));
        }
        if (f.action() == PublishAction.HINT) {
            payload.release();
            hc.observer().acted(channel, item, "hint");
            retry();
            return;
        }
        if (f.action() != PublishAction.SEND) {
            // close and refresh mean nothing to a long-poll
            hc.observer().notDelivered(channel, item, DropReason.UNSUPPORTED_ACTION);
            payload.release();
            return;
        }
        ByteBuf body = payload;
        if (f.bodyPatch() != null) {
            payload.release();
            try {
                body = Unpooled.wrappedBuffer(JsonPatch.apply(base.body(), f.bodyPatch()));
            } catch (JsonPatch.PatchException e) {
                log.info(
                        "item {} on {} for {} not delivered: {}",
                        item.id(),
                        channel,
                        hc.connectionId(),
                        e.getMessage());
                hc.observer().notDelivered(channel, item, DropReason.PATCH_FAILED);
                return;
            }
        }
        ByteBuf out = DeliveryFilter.apply(this, channel, item, DeliveryFormat.HTTP_RESPONSE, body);
        if (out != null) {
            respondPublished(channel, item, out);
        } else {
            hc.observer().notDelivered(channel, item, DropReason.FILTERED);
        }
    }

    private void respondPublished(String channel, PublishItem item, ByteBuf payload) {
        HttpResponseFormat f = item.httpResponse();
        if (done || f == null || f.action() != PublishAction.SEND) {
            payload.release();
            return;
        }
        hc.observer().delivered(channel, item);
        respond(f.code(), f.reason(), merge(base.headers(), f.headers()), payload);
    }

    @Override
    public Map<String, String> meta() {
        return meta;
    }

    @Override
    public List<String> filters(String channel) {
        return HoldSupport.filters(chans, channel);
    }

    @Override
    public boolean subscribedTo(String channel) {
        return chans.containsKey(channel);
    }

    @Override
    public Map<String, String> lastIds() {
        return HoldSupport.lastIds(chans.values());
    }

    @Override
    public String connectionId() {
        return hc.connectionId();
    }

    /** Published headers replace the held ones of the same name; the others are kept. */
    static List<Map.Entry<String, String>> merge(
            List<Map.Entry<String, String>> held, List<Map.Entry<String, String>> published) {
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
            // framing is ours to decide; GRIP headers are for the proxy, as Pushpin strips them from items
            if (!lower.equals("content-length")
                    && !lower.equals("transfer-encoding")
                    && !lower.equals("connection")
                    && !lower.startsWith("grip-")) {
                out.add(e);
            }
        }
        return out;
    }

    private void respond(int code, String reason, List<Map.Entry<String, String>> headers, ByteBuf body) {
        FullHttpResponse r;
        try {
            r = new DefaultFullHttpResponse(
                    version,
                    HoldSupport.status(code, reason),
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
                respond(
                        502,
                        "Bad Gateway",
                        List.of(Map.entry("Content-Type", "text/plain")),
                        Unpooled.copiedBuffer("Error while proxying to origin.\n", StandardCharsets.UTF_8));
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

    /** Also after a retry took the request over: the gone link is the client's, whoever answers it next. */
    @Override
    public void clientClosed() {
        done = true;
        cancel();
        gone.send(linkBase);
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
