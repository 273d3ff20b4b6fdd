package dev.outpost.bus.redis;

/** The bus did not take a publish: unreachable, too slow, or its outbound queue is full. The message says which. */
public final class BusUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public BusUnavailableException(String message) {
        super(message, null, false, false);
    }
}
