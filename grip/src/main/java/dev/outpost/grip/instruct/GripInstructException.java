package dev.outpost.grip.instruct;

/** An origin's GRIP instruction could not be understood; the message names the header and the bad value. */
public class GripInstructException extends Exception {
    private static final long serialVersionUID = 1L;

    public GripInstructException(String message) {
        super(message);
    }

    public GripInstructException(String message, Throwable cause) {
        super(message, cause);
    }
}
