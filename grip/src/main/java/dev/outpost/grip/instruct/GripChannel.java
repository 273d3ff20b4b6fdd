package dev.outpost.grip.instruct;

import java.util.List;
import java.util.Objects;

/**
 * One channel subscription of a held request.
 *
 * @param name    channel name, never empty
 * @param prevId  the last item ID the origin knows of, or {@code null}
 * @param filters subscription filter names in the given order (at most 5)
 */
public record GripChannel(String name, String prevId, List<String> filters) {
    public GripChannel {
        Objects.requireNonNull(name, "name");
        filters = filters == null ? List.of() : List.copyOf(filters);
    }

    public GripChannel(String name) {
        this(name, null, List.of());
    }
}
