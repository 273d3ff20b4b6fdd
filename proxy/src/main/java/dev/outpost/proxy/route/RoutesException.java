package dev.outpost.proxy.route;

/** A routes line Outpost cannot use; the message reads {@code file:line: reason (token)}. */
public class RoutesException extends Exception {
    private final String source;
    private final String reason;
    private final String token;

    public RoutesException(String message) {
        super(message);
        this.source = null;
        this.reason = message;
        this.token = null;
    }

    /** {@code source} is {@code file:line}; {@code token} the offending part of the line, or null. */
    public RoutesException(String source, String reason, String token) {
        super(source + ": " + reason + (token == null ? "" : " (" + token + ")"));
        this.source = source;
        this.reason = reason;
        this.token = token;
    }

    /** {@code file:line}, or null. */
    public String source() {
        return source;
    }

    public String reason() {
        return reason;
    }

    /** The offending part of the line, or null. */
    public String token() {
        return token;
    }
}
