package dev.outpost.edge.abi;

/** The guest called {@code proc_exit}: unwinds the guest back to the host with its exit code. */
public final class GuestExit extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int code;

    public GuestExit(int code) {
        super("guest exited with code " + code, null, false, false);
        this.code = code;
    }

    public int code() {
        return code;
    }
}
