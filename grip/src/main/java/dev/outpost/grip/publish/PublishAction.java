package dev.outpost.grip.publish;

/** What a published format asks subscribers to do. */
public enum PublishAction {
    /** Deliver the content (default). */
    SEND,
    /** Content is not included: re-fetch from the origin (long-poll retry / stream next link). */
    HINT,
    /** End the stream or close the WebSocket. */
    CLOSE,
    /** WebSocket-over-HTTP: make a request to the origin for the connection now. */
    REFRESH
}
