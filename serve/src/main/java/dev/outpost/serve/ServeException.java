package dev.outpost.serve;

/** {@code serve} cannot go on; the message is for the user, {@code exitCode} for the shell. */
public final class ServeException extends Exception {
    private final int exitCode;

    public ServeException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public ServeException(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    /** 2 for usage and configuration mistakes, 1 for failures at run time. */
    public int exitCode() {
        return exitCode;
    }
}
