package dev.outpost.proxy.route;

/** A routes line Outpost cannot use; the message reads {@code file:line: reason (token)}. */
public class RoutesException extends Exception {
    public RoutesException(String message) {
        super(message);
    }
}
