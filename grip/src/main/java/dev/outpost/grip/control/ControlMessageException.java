package dev.outpost.grip.control;

/** A control message could not be understood; the message names the field and the bad value. */
public class ControlMessageException extends Exception {
    private static final long serialVersionUID = 1L;

    public ControlMessageException(String message) {
        super(message);
    }
}
