package dev.outpost.proxy.hold;

import dev.outpost.proxy.pubsub.ChannelHub;
import dev.outpost.proxy.pubsub.Subscriber;
import dev.outpost.proxy.pubsub.Subscription;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A stream's channels, distinct by name and in order (usually one), and its subscriptions to them. Arrays rather
 * than maps: they live as long as the held connection, and a delivery finds its channel without a hash lookup. The
 * stream's event loop only.
 */
final class StreamChannels {
    private static final Subscription[] NO_SUBSCRIPTIONS = new Subscription[0];

    private HoldChannel[] chans;
    /** One per subscribed channel (matched by {@link Subscription#channel()}). */
    private Subscription[] subscriptions = NO_SUBSCRIPTIONS;

    StreamChannels(List<HoldChannel> channels) {
        this.chans = distinct(channels);
    }

    /** The channels, in order; the caller does not change the array. */
    HoldChannel[] all() {
        return chans;
    }

    /** The channel named {@code name}, or null. */
    HoldChannel get(String name) {
        for (HoldChannel c : chans) {
            if (c.name().equals(name)) {
                return c;
            }
        }
        return null;
    }

    List<String> names() {
        List<String> n = new ArrayList<>(chans.length);
        for (HoldChannel c : chans) {
            n.add(c.name());
        }
        return n;
    }

    /** The prev-ids known, by channel. */
    Map<String, String> lastIds() {
        return HoldSupport.lastIds(Arrays.asList(chans));
    }

    /** {@code now} takes the place of {@code old} (a channel's prev-id moved on). */
    void replace(HoldChannel old, HoldChannel now) {
        for (int i = 0; i < chans.length; i++) {
            if (chans[i] == old) {
                chans[i] = now;
            }
        }
    }

    /** New instructions: {@code channels} replace the current ones; subscriptions to channels no longer named end. */
    void replaceAll(List<HoldChannel> channels) {
        chans = distinct(channels);
        List<Subscription> kept = new ArrayList<>(subscriptions.length);
        for (Subscription sub : subscriptions) {
            if (get(sub.channel()) != null) {
                kept.add(sub);
            } else {
                sub.close();
            }
        }
        subscriptions = kept.toArray(NO_SUBSCRIPTIONS);
    }

    /** Subscribes {@code s} through {@code hub} to each channel not yet subscribed. */
    void subscribeAll(ChannelHub hub, Subscriber s) {
        for (HoldChannel c : chans) {
            boolean have = false;
            for (Subscription sub : subscriptions) {
                have |= sub.channel().equals(c.name());
            }
            if (!have) {
                Subscription[] more = Arrays.copyOf(subscriptions, subscriptions.length + 1);
                more[subscriptions.length] = hub.subscribe(c.name(), s);
                subscriptions = more;
            }
        }
    }

    /** Ends every subscription. */
    void unsubscribeAll() {
        for (Subscription s : subscriptions) {
            s.close();
        }
        subscriptions = NO_SUBSCRIPTIONS;
    }

    /** Later entries of a name replace earlier ones in place, as a map's put would. */
    private static HoldChannel[] distinct(List<HoldChannel> channels) {
        List<HoldChannel> out = new ArrayList<>(channels.size());
        outer:
        for (HoldChannel c : channels) {
            for (int i = 0; i < out.size(); i++) {
                if (out.get(i).name().equals(c.name())) {
                    out.set(i, c);
                    continue outer;
                }
            }
            out.add(c);
        }
        return out.toArray(new HoldChannel[0]);
    }
}
