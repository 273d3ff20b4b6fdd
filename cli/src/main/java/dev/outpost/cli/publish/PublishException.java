package dev.outpost.cli.publish;

/** The publish endpoint could not be reached or gave no usable answer. */
public final class PublishException extends Exception {
    private static final long serialVersionUID = 1L;

    public PublishException(String message, Throwable cause) {
        super(message, cause);
    }
}
