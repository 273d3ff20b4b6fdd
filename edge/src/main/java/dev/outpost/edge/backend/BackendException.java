package dev.outpost.edge.backend;

/**
 * A backend request failed before a response head arrived.
 *
 * @see SendErrorTag
 */
public final class BackendException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final SendErrorTag tag;

    public BackendException(SendErrorTag tag, String message, Throwable cause) {
        super(message, cause);
        this.tag = tag;
    }

    public SendErrorTag tag() {
        return tag;
    }
}
