package dev.outpost.grip.instruct;

/** How a GRIP-held request is kept open ({@code Grip-Hold}). */
public enum HoldMode {
    /** Long-poll: one published {@code http-response} (or the timeout response) ends the request. */
    RESPONSE,
    /** Streaming: published {@code http-stream} content is appended to an open response. */
    STREAM
}
