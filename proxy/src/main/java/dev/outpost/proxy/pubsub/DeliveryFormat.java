package dev.outpost.proxy.pubsub;

/** Which format of a published item a subscriber consumes. */
public enum DeliveryFormat {
    /** {@code http-response}: the payload is the response body. */
    HTTP_RESPONSE,
    /** {@code http-stream}: the payload is the content to append. */
    HTTP_STREAM,
    /** {@code ws-message}: the payload is the message content. */
    WS_MESSAGE
}
