package dev.outpost.edge.engine;

/** A module could not be loaded: malformed, invalid, or unsupported by the engine. */
public final class WasmLoadException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public WasmLoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
