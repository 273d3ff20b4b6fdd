package dev.outpost.edge.abi;

import java.util.Objects;

/**
 * A hostcall failed with a Fastly status. Thrown anywhere below a hostcall; {@link Hostcall} binding turns it into the
 * returned status code, so hostcall code never returns error codes by hand.
 */
public final class HostcallException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final FastlyStatus status;

    public HostcallException(FastlyStatus status, String message) {
        super(message, null, false, false);
        this.status = Objects.requireNonNull(status, "status");
    }

    public FastlyStatus status() {
        return status;
    }

    public static HostcallException badHandle(String kind, int handle) {
        return new HostcallException(
                FastlyStatus.BADF, kind + " handle: " + handle + " (expected: a live " + kind + " handle)");
    }

    public static HostcallException inval(String message) {
        return new HostcallException(FastlyStatus.INVAL, message);
    }
}
