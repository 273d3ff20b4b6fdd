package dev.outpost.grip.client;

import java.net.URI;

/**
 * A publish that did not go through: the endpoint refused it ({@link #status()} and {@link #body()} say how), or it
 * could not be reached or gave no usable answer ({@link #status()} is 0).
 */
public final class PublishException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final URI endpoint;
    private final int status;
    private final String reason;
    private final String body;
    private final String detail;

    private PublishException(URI endpoint, int status, String reason, String body, String detail, Throwable cause) {
        super(message(endpoint, status, detail), cause);
        this.endpoint = endpoint;
        this.status = status;
        this.reason = reason;
        this.body = body;
        this.detail = detail;
    }

    /** The endpoint answered with a status other than 200. */
    static PublishException refused(URI endpoint, int status, String reason, String body) {
        String text = body.strip();
        String detail = status + (reason.isEmpty() ? "" : " " + reason) + (text.isEmpty() ? "" : ": " + text);
        return new PublishException(endpoint, status, reason, body, detail, null);
    }

    /** No answer: {@code detail} says why ("connection refused", "no answer within 10 s", ...). */
    static PublishException unreachable(URI endpoint, String detail, Throwable cause) {
        return new PublishException(endpoint, 0, "", "", detail, cause);
    }

    private static String message(URI endpoint, int status, String detail) {
        return status == 0
                ? "cannot reach the publish endpoint " + endpoint + ": " + detail
                : "publish to " + endpoint + " refused: " + detail;
    }

    /** The publish endpoint ({@code .../publish/}), without credentials. */
    public URI endpoint() {
        return endpoint;
    }

    /** The HTTP status the endpoint answered with, or 0 when there was no answer. */
    public int status() {
        return status;
    }

    /** The status line's reason phrase, empty without an answer. */
    public String reason() {
        return reason;
    }

    /** The answer's body (at most 64 KiB of it), empty without an answer. */
    public String body() {
        return body;
    }

    /** True when the endpoint answered (and said no); false when it could not be reached or did not answer. */
    public boolean refused() {
        return status != 0;
    }

    /** What went wrong, without the endpoint: {@code 400 Bad Request: ...}, or {@code connection refused}. */
    public String detail() {
        return detail;
    }
}
