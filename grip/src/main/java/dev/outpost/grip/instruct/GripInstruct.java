package dev.outpost.grip.instruct;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything an origin asked for in one response: the GRIP headers (or the grip-instruct body) as one value.
 *
 * @param hold           hold mode, or {@code null} when the response is not held
 * @param channels       subscriptions, in order
 * @param timeoutSeconds response-hold timeout (default 55, at least 5)
 * @param keepAlive      stream keep-alive, or {@code null}
 * @param status         status line override, or {@code null}
 * @param nextLink       {@code rel=next} link, or {@code null}
 * @param goneLink       {@code rel=gone} link as given, or {@code null}
 * @param meta           subscription meta (insertion order kept)
 * @param response       the grip-instruct body's response, or {@code null}
 * @param exposeHeaders  {@code Grip-Expose-Headers} names, or {@code null} when absent
 */
public record GripInstruct(
        HoldMode hold,
        List<GripChannel> channels,
        int timeoutSeconds,
        KeepAlive keepAlive,
        GripStatus status,
        NextLink nextLink,
        String goneLink,
        Map<String, String> meta,
        InstructResponse response,
        List<String> exposeHeaders) {

    public static final int DEFAULT_TIMEOUT = 55;
    public static final int MIN_TIMEOUT = 5;

    public GripInstruct {
        channels = channels == null ? List.of() : List.copyOf(channels);
        meta = meta == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(meta));
        exposeHeaders = exposeHeaders == null ? null : List.copyOf(exposeHeaders);
    }

    /** An instruct that holds nothing and changes nothing. */
    public static GripInstruct none() {
        return new GripInstruct(null, List.of(), DEFAULT_TIMEOUT, null, null, null, null, Map.of(), null, null);
    }

    public boolean isHold() {
        return hold != null;
    }
}
