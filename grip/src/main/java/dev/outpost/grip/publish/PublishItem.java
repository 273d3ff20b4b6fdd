package dev.outpost.grip.publish;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One published item. Build one with {@link #builder(String)}:
 *
 * <pre>{@code
 * PublishItem item = PublishItem.builder("news").id("2").prevId("1")
 *         .httpStream("hello\n").wsMessage("hello").build();
 * }</pre>
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

    /** A builder for an item on {@code channel}. */
    public static Builder builder(String channel) {
        return new Builder(channel);
    }

    /** Builds a {@link PublishItem}; at least one format is required. */
    public static final class Builder {
        private final String channel;
        private String id;
        private String prevId;
        private final Map<String, String> meta = new LinkedHashMap<>();
        private HttpResponseFormat httpResponse;
        private HttpStreamFormat httpStream;
        private WsMessageFormat wsMessage;
        private boolean noSeq;

        private Builder(String channel) {
            Objects.requireNonNull(channel, "channel");
            if (channel.isEmpty()) {
                throw new IllegalArgumentException("channel: empty (expected: a channel name)");
            }
            this.channel = channel;
        }

        /** The item's ID: subscribers de-duplicate on it and the next item's {@code prev-id} refers to it. */
        public Builder id(String id) {
            this.id = id;
            return this;
        }

        /** The ID of the item before this one on the channel: the proxy delivers in that order. */
        public Builder prevId(String prevId) {
            this.prevId = prevId;
            return this;
        }

        /** A meta variable subscription filters can match ({@code skip-self}, {@code require-sub}, ...). */
        public Builder meta(String name, String value) {
            meta.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** Bypasses the proxy's {@code prev-id} sequencing buffer. */
        public Builder noSeq(boolean noSeq) {
            this.noSeq = noSeq;
            return this;
        }

        /** What long-polls receive. */
        public Builder httpResponse(HttpResponseFormat format) {
            this.httpResponse = format;
            return this;
        }

        /** A 200 response with this body for long-polls. */
        public Builder httpResponse(String body) {
            return httpResponse(HttpResponseFormat.of(body));
        }

        /** What streams receive. */
        public Builder httpStream(HttpStreamFormat format) {
            this.httpStream = format;
            return this;
        }

        /** Content appended to streams. */
        public Builder httpStream(String content) {
            return httpStream(HttpStreamFormat.of(content));
        }

        /** What WebSockets receive. */
        public Builder wsMessage(WsMessageFormat format) {
            this.wsMessage = format;
            return this;
        }

        /** A text message for WebSockets. */
        public Builder wsMessage(String text) {
            return wsMessage(WsMessageFormat.text(text));
        }

        /** Ends streams and closes WebSockets on the channel. */
        public Builder close() {
            httpStream = HttpStreamFormat.close();
            wsMessage = WsMessageFormat.close();
            return this;
        }

        /** Content-less: long-polls re-ask the origin, streams with a next link fetch it. */
        public Builder hint() {
            httpResponse = HttpResponseFormat.hint();
            httpStream = HttpStreamFormat.hint();
            return this;
        }

        /** WebSocket-over-HTTP connections on the channel ask the origin now. */
        public Builder refresh() {
            wsMessage = WsMessageFormat.refresh();
            return this;
        }

        /**
         * The item.
         *
         * @throws IllegalStateException without any format
         */
        public PublishItem build() {
            if (httpResponse == null && httpStream == null && wsMessage == null) {
                throw new IllegalStateException("publish item for channel '" + channel
                        + "': no format (expected: httpResponse, httpStream, wsMessage, close, hint or refresh)");
            }
            return new PublishItem(channel, id, prevId, meta, httpResponse, httpStream, wsMessage, noSeq);
        }
    }
}
