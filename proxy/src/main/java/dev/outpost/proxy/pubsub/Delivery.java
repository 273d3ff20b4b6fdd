package dev.outpost.proxy.pubsub;

import dev.outpost.grip.publish.PublishItem;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Arrays;

/**
 * One published item on one channel, lent to the subscribers of one format on one event loop for the length of their
 * {@link Subscriber#deliver} call.
 *
 * <p>Ownership: the delivery owns {@link #payload()} and every {@link #derived} buffer, and releases them when all
 * its subscribers have been called. A subscriber that keeps a buffer past its call takes its own reference
 * ({@code retainedDuplicate()}); it never releases what it was lent. One delivery serves one event loop only, so
 * that no two loops update one reference count.
 */
public final class Delivery implements AutoCloseable {

    /**
     * A form of the payload that every subscriber of a loop can share, made at most once per delivery (a stream
     * framed as an HTTP/1.1 chunk). The instance is the cache key: keep it in a constant.
     */
    public interface Derivation {
        /** A new buffer made from {@code payload} (which it must not keep or release), or null for none. */
        ByteBuf derive(ByteBuf payload);
    }

    private static final Derivation[] NONE = new Derivation[0];

    private final String channel;
    private final PublishItem item;
    private final DeliveryFormat format;
    private final ByteBuf payload;
    private Derivation[] derivations = NONE;
    private ByteBuf[] derived;

    private Delivery(String channel, PublishItem item, DeliveryFormat format, ByteBuf payload) {
        this.channel = channel;
        this.item = item;
        this.format = format;
        this.payload = payload;
    }

    /**
     * The delivery of {@code item}'s {@code format} on {@code channel}, or null when the item does not carry that
     * format. The caller closes it after the subscribers' calls.
     */
    public static Delivery of(String channel, PublishItem item, DeliveryFormat format) {
        byte[] bytes = format.content(item);
        if (bytes == null) {
            return null;
        }
        return new Delivery(
                channel, item, format, bytes.length == 0 ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(bytes));
    }

    public String channel() {
        return channel;
    }

    public PublishItem item() {
        return item;
    }

    public DeliveryFormat format() {
        return format;
    }

    /** The content of {@link #format()} (empty when the item has none); lent for the call. */
    public ByteBuf payload() {
        return payload;
    }

    /** {@code d}'s form of the payload, made on first use and shared by this delivery's subscribers; lent. */
    public ByteBuf derived(Derivation d) {
        for (int i = 0; i < derivations.length; i++) {
            if (derivations[i] == d) {
                return derived[i];
            }
        }
        ByteBuf b = d.derive(payload);
        int n = derivations.length;
        derivations = Arrays.copyOf(derivations, n + 1);
        derived = derived == null ? new ByteBuf[1] : Arrays.copyOf(derived, n + 1);
        derivations[n] = d;
        derived[n] = b;
        return b;
    }

    /** Releases the payload and the derived forms. Called once, by whoever made the delivery. */
    @Override
    public void close() {
        payload.release();
        if (derived != null) {
            for (ByteBuf b : derived) {
                if (b != null) {
                    b.release();
                }
            }
            derived = null;
            derivations = NONE;
        }
    }
}
