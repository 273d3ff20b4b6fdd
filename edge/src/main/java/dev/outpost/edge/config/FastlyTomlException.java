package dev.outpost.edge.config;

/** A {@code fastly.toml} mistake. The message names the file, the table, the key and what was expected. */
public final class FastlyTomlException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public FastlyTomlException(String message) {
        super(message);
    }

    public FastlyTomlException(String message, Throwable cause) {
        super(message, cause);
    }
}
