package dev.outpost.proxy.pubsub;

import dev.outpost.grip.filter.SubscriptionFilters;
import dev.outpost.grip.publish.PublishItem;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.EventExecutor;
import java.util.List;
import java.util.Map;
import org.slf4j.LoggerFactory;

/**
 * A live session that receives published items. Only {@link #format()}, {@link #executor()} and
 * {@link #onMessage} are required; the other methods let a session take part in filters, meta and updates.
 */
public interface Subscriber {

    /** The format this subscriber takes; items without it are not delivered. */
    DeliveryFormat format();

    /** Where {@link #onMessage} runs: the session's event loop. */
    EventExecutor executor();

    /**
     * Receives one item, on {@link #executor()}.
     *
     * @param payload the encoded content of {@link #format()} (empty when the item has none); the callee owns it
     *     and must release it
     */
    void onMessage(String channel, PublishItem item, ByteBuf payload);

    /** Subscription meta ({@code Grip-Set-Meta}, WebSocket {@code set-meta}) the filters read. On the executor. */
    default Map<String, String> meta() {
        return Map.of();
    }

    /** The filters of this subscriber's subscription to {@code channel}, in order. On the executor. */
    default List<String> filters(String channel) {
        return List.of();
    }

    /** Whether the same connection is subscribed to {@code channel} ({@code require-sub}). On the executor. */
    default boolean subscribedTo(String channel) {
        return false;
    }

    /** The session's last known ID per channel ({@code build-id}); empty when the session tracks none. */
    default Map<String, String> lastIds() {
        return Map.of();
    }

    /** Names the connection in logs of dropped messages. */
    default String connectionId() {
        return "-";
    }

    /**
     * Asks the origin again now: a long-poll is re-requested, a stream fetches its next link. Called on the executor
     * ~1 s after the channel's first subscription ({@code update_on_first_subscription}) and on recovery.
     */
    default void update() {}

    /**
     * What the hub calls on {@link #executor()}: runs the subscription's filters (and the {@code content-filters}
     * check) on the payload, then {@link #onMessage}. Sessions that must see every item first (prev-id checks)
     * override it and call {@link #filter} themselves.
     */
    default void receive(String channel, PublishItem item, ByteBuf payload) {
        ByteBuf out = filter(this, channel, item, payload);
        if (out != null) {
            onMessage(channel, item, out);
        } else {
            filteredOut(channel, item);
        }
    }

    /**
     * As {@link #receive(String, PublishItem, ByteBuf)}, but both buffers are lent for this call only (keep a
     * {@code retainedDuplicate()}, never release them): {@code payload}, and {@code chunk}, the same unfiltered payload
     * framed as one HTTP/1.1 chunk (null when the hub has none). One pair serves every subscriber of an event loop.
     */
    default void receiveShared(String channel, PublishItem item, ByteBuf payload, ByteBuf chunk) {
        receive(channel, item, payload.retainedDuplicate());
    }

    /** A filter of the subscription left {@code item} out (so observers can say why it was not delivered). */
    default void filteredOut(String channel, PublishItem item) {}

    /**
     * Applies {@code s}'s filters for {@code channel} to {@code payload}: returns the payload to deliver (maybe a new
     * buffer) or null when the item is dropped; {@code payload} is released or returned either way.
     */
    static ByteBuf filter(Subscriber s, String channel, PublishItem item, ByteBuf payload) {
        List<String> filters = s.filters(channel);
        List<String> itemContentFilters = contentFiltersOf(item, s.format());
        if (!SubscriptionFilters.contentFiltersMatch(filters, itemContentFilters)) {
            LoggerFactory.getLogger(Subscriber.class)
                    .debug(
                            "content filter mismatch on {} for {}: subscription={} item={}",
                            channel,
                            s.connectionId(),
                            SubscriptionFilters.contentFilters(filters),
                            itemContentFilters);
            payload.release();
            return null;
        }
        if (filters.isEmpty()) {
            return payload;
        }
        SubscriptionFilters.Context ctx =
                new SubscriptionFilters.Context(s.meta(), item.meta(), s::subscribedTo, s.lastIds());
        byte[] in = ByteBufUtil.getBytes(payload);
        SubscriptionFilters.Result r = SubscriptionFilters.apply(filters, ctx, in);
        if (r.dropped()) {
            LoggerFactory.getLogger(Subscriber.class)
                    .debug("item {} on {} filtered out for {}: {}", item.id(), channel, s.connectionId(), r.reason());
            payload.release();
            return null;
        }
        if (java.util.Arrays.equals(r.content(), in)) {
            return payload;
        }
        payload.release();
        return Unpooled.wrappedBuffer(r.content());
    }

    private static List<String> contentFiltersOf(PublishItem item, DeliveryFormat f) {
        return switch (f) {
            case HTTP_RESPONSE ->
                item.httpResponse() == null ? List.of() : item.httpResponse().contentFilters();
            case HTTP_STREAM ->
                item.httpStream() == null ? List.of() : item.httpStream().contentFilters();
            case WS_MESSAGE ->
                item.wsMessage() == null ? List.of() : item.wsMessage().contentFilters();
        };
    }
}
