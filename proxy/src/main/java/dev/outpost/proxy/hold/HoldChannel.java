package dev.outpost.proxy.hold;

import java.util.List;
import java.util.Objects;

/**
 * One channel of a hold, route prefix applied.
 *
 * @param name    the channel as subscribed
 * @param prevId  the last item ID the origin knows of on it ({@code prev-id}), or null
 * @param filters subscription filters, in order
 */
public record HoldChannel(String name, String prevId, List<String> filters) {
    public HoldChannel {
        Objects.requireNonNull(name, "name");
        filters = filters == null ? List.of() : List.copyOf(filters);
    }

    public static List<HoldChannel> of(List<String> names) {
        return names.stream().map(n -> new HoldChannel(n, null, List.of())).toList();
    }
}
