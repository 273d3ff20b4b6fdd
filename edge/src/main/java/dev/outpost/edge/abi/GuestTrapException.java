package dev.outpost.edge.abi;

/** The guest stopped abnormally: a Wasm trap, a fatal host error, or a limit. The message says which. */
public final class GuestTrapException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public GuestTrapException(String message, Throwable cause) {
        super(message, cause);
    }
}
