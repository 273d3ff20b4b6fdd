package dev.outpost.proxy.pubsub;

import dev.outpost.grip.publish.HttpResponseFormat;
import dev.outpost.grip.publish.HttpStreamFormat;
import dev.outpost.grip.publish.PublishItem;
import dev.outpost.grip.publish.WsMessageFormat;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The in-process {@link ChannelHub}: one JVM, no bus. Each item is encoded once per format and every subscriber gets
 * a {@code retainedDuplicate()} of that buffer.
 */
public final class LocalChannelHub implements ChannelHub {
    private static final Logger log = LoggerFactory.getLogger(LocalChannelHub.class);

    private final Map<String, Set<Entry>> channels = new ConcurrentHashMap<>();

    @Override
    public Subscription subscribe(String channel, Subscriber subscriber) {
        Entry e = new Entry(channel, subscriber);
        channels.compute(channel, (k, set) -> {
            Set<Entry> s = set != null ? set : ConcurrentHashMap.newKeySet();
            s.add(e);
            return s;
        });
        return e;
    }

    @Override
    public void publish(List<PublishItem> items) {
        for (PublishItem item : items) {
            publishOne(item);
        }
    }

    private void publishOne(PublishItem item) {
        Set<Entry> subs = channels.get(item.channel());
        if (subs == null || subs.isEmpty()) {
            return;
        }
        Map<DeliveryFormat, ByteBuf> encoded = new EnumMap<>(DeliveryFormat.class);
        try {
            for (Entry e : subs) {
                DeliveryFormat f = e.subscriber.format();
                ByteBuf buf = encoded.get(f);
                if (buf == null) {
                    if (!encoded.containsKey(f)) {
                        buf = encode(item, f);
                        encoded.put(f, buf);
                    }
                    if (buf == null) {
                        continue;
                    }
                }
                deliver(e, item, buf.retainedDuplicate());
            }
        } finally {
            for (ByteBuf b : encoded.values()) {
                if (b != null) {
                    b.release();
                }
            }
        }
    }

    /** Returns the payload of {@code f}, or null when the item does not carry that format. */
    private static ByteBuf encode(PublishItem item, DeliveryFormat f) {
        byte[] bytes;
        switch (f) {
            case HTTP_RESPONSE -> {
                HttpResponseFormat r = item.httpResponse();
                if (r == null) {
                    return null;
                }
                bytes = r.body();
            }
            case HTTP_STREAM -> {
                HttpStreamFormat s = item.httpStream();
                if (s == null) {
                    return null;
                }
                bytes = s.content();
            }
            case WS_MESSAGE -> {
                WsMessageFormat w = item.wsMessage();
                if (w == null) {
                    return null;
                }
                bytes = w.content();
            }
            default -> throw new IllegalStateException(f.toString());
        }
        return bytes == null || bytes.length == 0 ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(bytes);
    }

    private static void deliver(Entry e, PublishItem item, ByteBuf payload) {
        if (e.closed.get()) {
            payload.release();
            return;
        }
        try {
            e.subscriber.executor().execute(() -> {
                if (e.closed.get()) {
                    payload.release();
                    return;
                }
                try {
                    e.subscriber.onMessage(e.channel, item, payload);
                } catch (RuntimeException ex) {
                    log.warn("subscriber on channel {} failed", e.channel, ex);
                }
            });
        } catch (RejectedExecutionException ex) {
            payload.release();
        }
    }

    @Override
    public int subscriberCount(String channel) {
        Set<Entry> s = channels.get(channel);
        return s == null ? 0 : s.size();
    }

    @Override
    public Set<String> channels() {
        return Set.copyOf(channels.keySet());
    }

    private final class Entry implements Subscription {
        final String channel;
        final Subscriber subscriber;
        final AtomicBoolean closed = new AtomicBoolean();

        Entry(String channel, Subscriber subscriber) {
            this.channel = channel;
            this.subscriber = subscriber;
        }

        @Override
        public String channel() {
            return channel;
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                channels.computeIfPresent(channel, (k, set) -> {
                    set.remove(this);
                    return set.isEmpty() ? null : set;
                });
            }
        }
    }
}
