package dev.outpost.proxy.ws;

import dev.outpost.grip.publish.PublishItem;
import dev.outpost.grip.publish.WsMessageFormat;
import dev.outpost.proxy.observe.ConnectionObserver;
import dev.outpost.proxy.observe.DropReason;
import dev.outpost.proxy.pubsub.ChannelHub;
import dev.outpost.proxy.pubsub.Delivery;
import dev.outpost.proxy.pubsub.DeliveryFilter;
import dev.outpost.proxy.pubsub.DeliveryFormat;
import dev.outpost.proxy.pubsub.FilterInputs;
import dev.outpost.proxy.pubsub.Subscriber;
import dev.outpost.proxy.pubsub.Subscription;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.util.concurrent.EventExecutor;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A GRIP WebSocket's channel subscriptions and what arrives on them: subscribe and unsubscribe (route {@code prefix}
 * prepended, at most {@code connection_subscription_max}, then close 1008), each subscription's filters and the
 * connection's meta (what the filters read), and published {@code ws-message} items: {@code send} (dropped past
 * {@code websocket_queue_max} unsent bytes), {@code close}, {@code refresh}. Runs on the client's event loop.
 */
final class WsSubscriptions implements Subscriber, FilterInputs {
    private static final Logger log = LoggerFactory.getLogger(WsSubscriptions.class);

    /** What the subscriptions need of the rest of the proxy. */
    record Context(
            ChannelHub hub,
            ConnectionObserver observer,
            String channelPrefix,
            int subscriptionMax,
            long queueMax,
            EventExecutor executor,
            String connectionId) {}

    private final Context c;
    private final String uri;
    private final SessionControl session;
    private final WsOriginSide origin;

    private final Map<String, Subscription> subscriptions = new LinkedHashMap<>();
    private final Map<String, String> meta = new HashMap<>();
    /** Each subscription's filters ({@code subscribe} control message), by full channel name. */
    private final Map<String, List<String>> filters = new HashMap<>();

    WsSubscriptions(Context c, String uri, SessionControl session, WsOriginSide origin) {
        this.c = c;
        this.uri = uri;
        this.session = session;
        this.origin = origin;
    }

    private String fullName(String channel) {
        return (c.channelPrefix() == null ? "" : c.channelPrefix()) + channel;
    }

    /** Subscribes to {@code channel} (the target's {@code sub=}: implicit, for the log) while the WebSocket is open. */
    void subscribe(String channel, boolean implicit) {
        String name = fullName(channel);
        if (subscriptions.containsKey(name) || !session.open()) {
            return;
        }
        int max = c.subscriptionMax();
        if (max > 0 && subscriptions.size() >= max) {
            log.info("WebSocket {}: subscription to {} refused, at most {} per connection", uri, name, max);
            session.closeClient(1008, "too many subscriptions (at most " + max + ")");
            return;
        }
        subscriptions.put(name, c.hub().subscribe(name, this));
        c.observer().subscribed(name);
        log.debug("WebSocket {} subscribed to {}{}", uri, name, implicit ? " (implicit)" : "");
    }

    /** A {@code subscribe} control message: the subscription's filters replace any it had. */
    void subscribe(String channel, List<String> channelFilters) {
        subscribe(channel, false);
        String name = fullName(channel);
        if (subscriptions.containsKey(name)) {
            filters.put(name, channelFilters);
        }
    }

    void unsubscribe(String channel) {
        String name = fullName(channel);
        filters.remove(name);
        Subscription s = subscriptions.remove(name);
        if (s != null) {
            s.close();
            c.observer().unsubscribed(name);
        }
    }

    /** A {@code set-meta} control message (null value: removed). */
    void setMeta(String name, String value) {
        if (value == null) {
            meta.remove(name);
        } else {
            meta.put(name, value);
        }
        c.observer().metaChanged(meta);
    }

    /** The connection ends: every subscription is closed. */
    void closeAll() {
        for (Subscription s : subscriptions.values()) {
            s.close();
        }
        subscriptions.clear();
    }

    // ---- Subscriber ----

    @Override
    public DeliveryFormat format() {
        return DeliveryFormat.WS_MESSAGE;
    }

    @Override
    public EventExecutor executor() {
        return c.executor();
    }

    @Override
    public void deliver(Delivery d) {
        ByteBuf out = DeliveryFilter.apply(
                this,
                d.channel(),
                d.item(),
                DeliveryFormat.WS_MESSAGE,
                d.payload().retainedDuplicate());
        if (out == null) {
            c.observer().notDelivered(d.channel(), d.item(), DropReason.FILTERED);
            return;
        }
        onMessage(d.channel(), d.item(), out);
    }

    /** One published message after the subscription's filters; {@code payload} is owned here. */
    private void onMessage(String channel, PublishItem item, ByteBuf payload) {
        ConnectionObserver observer = c.observer();
        // the payload is the content after the subscription's filters
        byte[] content = ByteBufUtil.getBytes(payload);
        payload.release();
        WsMessageFormat w = item.wsMessage();
        if (w == null || !session.open()) {
            observer.notDelivered(channel, item, w == null ? DropReason.NO_FORMAT : DropReason.CLOSED);
            return;
        }
        switch (w.action()) {
            case SEND -> {
                long unsent = session.unsentBytes();
                long max = c.queueMax();
                if (unsent > max) {
                    session.tally()
                            .drop(
                                    "session_queue",
                                    channel,
                                    (item.id() == null ? "an item" : "item " + item.id()) + ": "
                                            + unsent
                                            + " bytes not yet written to the client (websocket_queue_max " + max
                                            + "), client not reading");
                    observer.notDelivered(channel, item, DropReason.DROPPED_QUEUE_FULL);
                    return;
                }
                observer.delivered(channel, item);
                session.sendToClient(new Msg(w.type(), content));
            }
            case CLOSE -> {
                observer.acted(channel, item, "close");
                origin.close(-1, "");
                session.closeClient(w.closeCode(), w.closeReason());
            }
            case REFRESH -> {
                observer.acted(channel, item, "refresh");
                origin.refresh();
            }
            case HINT ->
                // no meaning for WebSockets, as in Pushpin
                observer.notDelivered(channel, item, DropReason.UNSUPPORTED_ACTION);
        }
    }

    // ---- what the subscription filters read ----

    @Override
    public Map<String, String> meta() {
        return meta;
    }

    @Override
    public List<String> filters(String channel) {
        return filters.getOrDefault(channel, List.of());
    }

    @Override
    public boolean subscribedTo(String channel) {
        return subscriptions.containsKey(channel);
    }

    @Override
    public String connectionId() {
        return c.connectionId();
    }
}
