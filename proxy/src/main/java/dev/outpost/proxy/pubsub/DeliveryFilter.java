package dev.outpost.proxy.pubsub;

import dev.outpost.grip.filter.SubscriptionFilters;
import dev.outpost.grip.publish.PublishItem;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A subscription's filters applied to one delivery: the {@code content-filters} check, then the filters in order. */
public final class DeliveryFilter {
    private static final Logger log = LoggerFactory.getLogger(DeliveryFilter.class);

    private DeliveryFilter() {}

    /**
     * Applies {@code s}'s filters for {@code channel} to {@code payload} (the item's {@code format} content): returns
     * the payload to deliver (maybe a new buffer) or null when the item is left out; {@code payload} is owned by the
     * call and released or returned either way.
     */
    public static ByteBuf apply(
            FilterInputs s, String channel, PublishItem item, DeliveryFormat format, ByteBuf payload) {
        List<String> filters = s.filters(channel);
        List<String> itemContentFilters = format.contentFilters(item);
        if (!SubscriptionFilters.contentFiltersMatch(filters, itemContentFilters)) {
            log.debug(
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
            log.debug("item {} on {} filtered out for {}: {}", item.id(), channel, s.connectionId(), r.reason());
            payload.release();
            return null;
        }
        if (Arrays.equals(r.content(), in)) {
            return payload;
        }
        payload.release();
        return Unpooled.wrappedBuffer(r.content());
    }
}
