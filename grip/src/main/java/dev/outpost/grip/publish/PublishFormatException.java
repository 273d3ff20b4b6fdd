package dev.outpost.grip.publish;

/**
 * A publish request body was rejected. {@link #getMessage()} is the exact text to answer with status 400:
 * {@code Body is not valid JSON.} or {@code Invalid format: ...}.
 */
public class PublishFormatException extends Exception {
    private static final long serialVersionUID = 1L;

    public PublishFormatException(String message) {
        super(message);
    }
}
