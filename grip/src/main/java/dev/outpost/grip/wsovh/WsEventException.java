package dev.outpost.grip.wsovh;

/** A WebSocket-over-HTTP body could not be decoded; the message says where and why. */
public class WsEventException extends Exception {
    private static final long serialVersionUID = 1L;

    public WsEventException(String message) {
        super(message);
    }
}
