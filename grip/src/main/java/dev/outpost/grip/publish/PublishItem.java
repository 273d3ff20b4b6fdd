package dev.outpost.grip.publish;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One published item.
 *
 * @param channel      target channel
 * @param id           item ID, or {@code null}
 * @param prevId       ID of the previous item on the channel, or {@code null}
 * @param meta         publish meta for filters
 * @param httpResponse the {@code http-response} format, or {@code null}
 * @param httpStream   the {@code http-stream} format, or {@code null}
 * @param wsMessage    the {@code ws-message} format, or {@code null}
 * @param noSeq        bypass prev-id sequencing
 */
public record PublishItem(
        String channel,
        String id,
        String prevId,
        Map<String, String> meta,
        HttpResponseFormat httpResponse,
        HttpStreamFormat httpStream,
        WsMessageFormat wsMessage,
        boolean noSeq) {

    public PublishItem {
        Objects.requireNonNull(channel, "channel");
        meta = meta == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(meta));
    }
}
