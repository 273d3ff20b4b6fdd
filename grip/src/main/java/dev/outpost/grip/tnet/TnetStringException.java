package dev.outpost.grip.tnet;

/** Bytes that are not a tnetstring; the message names the offset and what was expected there. */
public final class TnetStringException extends Exception {
    private static final long serialVersionUID = 1L;

    public TnetStringException(String message) {
        super(message);
    }
}
