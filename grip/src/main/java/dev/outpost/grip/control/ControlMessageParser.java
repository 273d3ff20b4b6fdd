package dev.outpost.grip.control;

/** Parses WebSocket control messages. */
public final class ControlMessageParser {
    /** Prefix that marks a text message from the origin as a control message. */
    public static final String PREFIX = "c:";

    private ControlMessageParser() {
    }

    public static ControlMessage parse(byte[] json) throws ControlMessageException {
        throw new ControlMessageException("not yet");
    }
}
