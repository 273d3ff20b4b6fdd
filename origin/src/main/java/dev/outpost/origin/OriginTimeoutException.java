package dev.outpost.origin;

import java.time.Duration;

/** The server sent nothing for the response timeout while a response was awaited ({@link OriginHandler#watch}). */
public final class OriginTimeoutException extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient Duration after;

    OriginTimeoutException(Duration after) {
        super(
                "no response from the origin within " + after.toSeconds() + " s (origin_response_timeout)",
                null,
                false,
                false);
        this.after = after;
    }

    /** How long the wait was. */
    public Duration after() {
        return after;
    }
}
