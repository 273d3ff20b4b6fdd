package dev.outpost.proxy.session;

import java.time.Duration;

/** The origin sent nothing for {@code origin_response_timeout} while the proxy waited for its response. */
final class OriginTimeoutException extends Exception {
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

    Duration after() {
        return after;
    }
}
