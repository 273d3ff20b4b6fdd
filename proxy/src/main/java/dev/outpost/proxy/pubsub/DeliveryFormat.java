package dev.outpost.proxy.pubsub;

import dev.outpost.grip.publish.PublishItem;
import java.util.List;

/** Which format of a published item a subscriber consumes. */
public enum DeliveryFormat {
    /** {@code http-response}: the payload is the response body. */
    HTTP_RESPONSE,
    /** {@code http-stream}: the payload is the content to append. */
    HTTP_STREAM,
    /** {@code ws-message}: the payload is the message content. */
    WS_MESSAGE;

    private static final byte[] EMPTY = new byte[0];

    /** Whether {@code item} carries this format. */
    public boolean in(PublishItem item) {
        return switch (this) {
            case HTTP_RESPONSE -> item.httpResponse() != null;
            case HTTP_STREAM -> item.httpStream() != null;
            case WS_MESSAGE -> item.wsMessage() != null;
        };
    }

    /** The payload of this format in {@code item} (empty when the format has none), or null when it is absent. */
    public byte[] content(PublishItem item) {
        byte[] b = switch (this) {
            case HTTP_RESPONSE ->
                item.httpResponse() == null ? null : item.httpResponse().body();
            case HTTP_STREAM ->
                item.httpStream() == null ? null : item.httpStream().content();
            case WS_MESSAGE ->
                item.wsMessage() == null ? null : item.wsMessage().content();
        };
        return b != null ? b : in(item) ? EMPTY : null;
    }

    /** The {@code content-filters} of this format in {@code item} (none when absent). */
    public List<String> contentFilters(PublishItem item) {
        return switch (this) {
            case HTTP_RESPONSE ->
                item.httpResponse() == null ? List.of() : item.httpResponse().contentFilters();
            case HTTP_STREAM ->
                item.httpStream() == null ? List.of() : item.httpStream().contentFilters();
            case WS_MESSAGE ->
                item.wsMessage() == null ? List.of() : item.wsMessage().contentFilters();
        };
    }
}
