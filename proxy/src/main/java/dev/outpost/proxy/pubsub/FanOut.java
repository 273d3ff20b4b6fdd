package dev.outpost.proxy.pubsub;

import dev.outpost.grip.publish.PublishItem;
import dev.outpost.proxy.pubsub.SubscriberRegistry.Entry;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands one item to a channel's local subscribers on their own event loops: one task per loop carrying that loop's
 * subscribers in subscription order, not one per subscriber. Each task makes its own {@link Delivery} per format (the
 * payload wraps the item's bytes, no copy), so deliveries on two loops never touch one reference count.
 */
public final class FanOut {
    private static final Logger log = LoggerFactory.getLogger(FanOut.class);
    private static final int FORMATS = DeliveryFormat.values().length;

    private FanOut() {}

    /** Sends {@code item} to each of {@code subscribers} that takes one of its formats. */
    public static void toAll(PublishItem item, Iterable<Entry> subscribers) {
        Map<EventExecutor, Batch> batches = new IdentityHashMap<>();
        for (Entry e : subscribers) {
            if (!e.isClosed() && e.subscriber().format().in(item)) {
                batches.computeIfAbsent(e.subscriber().executor(), x -> new Batch(e.channel(), item))
                        .entries
                        .add(e);
            }
        }
        batches.forEach(FanOut::submit);
    }

    /** Sends {@code item} to one subscriber (a paced delivery), unless it left meanwhile. */
    public static void toOne(PublishItem item, Entry e) {
        if (e.isClosed()) {
            return;
        }
        Batch b = new Batch(e.channel(), item);
        b.entries.add(e);
        submit(e.subscriber().executor(), b);
    }

    /** Runs {@code task} on {@code e}'s executor unless {@code e} has left by then (updates, recovery). */
    public static void run(Entry e, Runnable task) {
        try {
            e.subscriber().executor().execute(() -> {
                if (!e.isClosed()) {
                    try {
                        task.run();
                    } catch (RuntimeException ex) {
                        log.warn("subscriber on channel {} failed", e.channel(), ex);
                    }
                }
            });
        } catch (RejectedExecutionException ex) {
            // the session's loop is gone
        }
    }

    private static void submit(EventExecutor executor, Batch batch) {
        try {
            executor.execute(batch);
        } catch (RejectedExecutionException ex) {
            // the loop is gone, and its sessions with it; nothing was allocated for them yet
        }
    }

    /** One item's deliveries to the subscribers of one event loop, in subscription order. */
    private static final class Batch implements Runnable {
        final String channel;
        final PublishItem item;
        final ArrayList<Entry> entries = new ArrayList<>(4);

        Batch(String channel, PublishItem item) {
            this.channel = channel;
            this.item = item;
        }

        @Override
        public void run() {
            Delivery[] byFormat = null;
            try {
                for (Entry e : entries) {
                    if (e.isClosed()) {
                        continue;
                    }
                    DeliveryFormat f = e.subscriber().format();
                    if (byFormat == null) {
                        byFormat = new Delivery[FORMATS];
                    }
                    Delivery d = byFormat[f.ordinal()];
                    if (d == null) {
                        d = Delivery.of(channel, item, f);
                        byFormat[f.ordinal()] = d;
                    }
                    try {
                        e.subscriber().deliver(d);
                    } catch (RuntimeException ex) {
                        log.warn("subscriber on channel {} failed", channel, ex);
                    }
                }
            } finally {
                if (byFormat != null) {
                    for (Delivery d : byFormat) {
                        if (d != null) {
                            d.close();
                        }
                    }
                }
            }
        }
    }
}
