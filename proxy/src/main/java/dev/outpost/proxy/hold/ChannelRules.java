package dev.outpost.proxy.hold;

import dev.outpost.grip.instruct.GripChannel;
import dev.outpost.proxy.pubsub.Drops;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How an instruction's channels become a hold's: the route's {@code prefix} prepended, the target's {@code sub=}
 * channels added, at most {@code connection_subscription_max} kept (the rest reported and not subscribed). The same
 * for the first instruction and for each next link's.
 *
 * @param prefix the route's channel prefix ({@code ""} for none)
 * @param subs the target's {@code sub=} channels, without the prefix
 * @param max {@code connection_subscription_max}; 0 for no limit
 */
public record ChannelRules(String prefix, List<String> subs, int max) {
    /** No prefix, no extra channels, no limit. */
    public static final ChannelRules NONE = new ChannelRules("", List.of(), 0);

    public ChannelRules {
        prefix = prefix == null ? "" : prefix;
        subs = List.copyOf(subs);
    }

    /** The hold's channels for {@code channels}; those past the limit are counted on {@code drops} for {@code connId}. */
    public List<HoldChannel> apply(List<GripChannel> channels, Drops drops, String connId) {
        Map<String, HoldChannel> out = new LinkedHashMap<>();
        for (GripChannel c : channels) {
            out.putIfAbsent(prefix + c.name(), new HoldChannel(prefix + c.name(), c.prevId(), c.filters()));
        }
        for (String s : subs) {
            out.putIfAbsent(prefix + s, new HoldChannel(prefix + s, null, List.of()));
        }
        List<HoldChannel> list = new ArrayList<>(out.values());
        if (max > 0 && list.size() > max) {
            // one line for the whole response, however many channels it names
            drops.dropMany(
                    "subscription_max",
                    names(list.subList(max, list.size())),
                    connId,
                    "not subscribed: connection_subscription_max is " + max);
            return List.copyOf(list.subList(0, max));
        }
        return list;
    }

    /** The channels' names, in order. */
    public static List<String> names(List<HoldChannel> chans) {
        return chans.stream().map(HoldChannel::name).toList();
    }
}
