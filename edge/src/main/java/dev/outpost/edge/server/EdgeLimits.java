package dev.outpost.edge.server;

/**
 * The edge's guard rails, each an option of {@code outpost serve} (docs/limits.md, section "Edge").
 *
 * @param maxGuests guest runs at once ({@code --max-guests}); more requests wait for a free one
 * @param guestQueue requests that may wait for a guest run ({@code --guest-queue}); past it, {@code 503}
 * @param requestBodyBuffer bytes of a request body held in memory while the guest has not read them
 *     ({@code --request-body-buffer}); past it, reading from the client pauses until the guest reads
 * @param handoffBodyLimit bytes of a request body kept for a Fanout or WebSocket handoff
 *     ({@code --handoff-body-limit}); a handoff of a longer body is refused with {@code 413}
 */
public record EdgeLimits(int maxGuests, int guestQueue, int requestBodyBuffer, long handoffBodyLimit) {
    public static final int DEFAULT_MAX_GUESTS = 8;
    public static final int DEFAULT_GUEST_QUEUE = 256;
    public static final int DEFAULT_REQUEST_BODY_BUFFER = 1 << 20;
    public static final long DEFAULT_HANDOFF_BODY_LIMIT = 1L << 20;

    public static final EdgeLimits DEFAULT = new EdgeLimits(
            DEFAULT_MAX_GUESTS, DEFAULT_GUEST_QUEUE, DEFAULT_REQUEST_BODY_BUFFER, DEFAULT_HANDOFF_BODY_LIMIT);

    public EdgeLimits {
        if (maxGuests < 1) {
            throw new IllegalArgumentException("--max-guests: " + maxGuests + " (expected: at least 1)");
        }
        if (guestQueue < 0) {
            throw new IllegalArgumentException("--guest-queue: " + guestQueue + " (expected: 0 or more)");
        }
        if (requestBodyBuffer < 16 * 1024) {
            throw new IllegalArgumentException(
                    "--request-body-buffer: " + requestBodyBuffer + " bytes (expected: at least 16KiB)");
        }
        if (handoffBodyLimit < 0) {
            throw new IllegalArgumentException(
                    "--handoff-body-limit: " + handoffBodyLimit + " bytes (expected: 0 or more)");
        }
    }

    public EdgeLimits withMaxGuests(int n) {
        return new EdgeLimits(n, guestQueue, requestBodyBuffer, handoffBodyLimit);
    }

    public EdgeLimits withGuestQueue(int n) {
        return new EdgeLimits(maxGuests, n, requestBodyBuffer, handoffBodyLimit);
    }

    public EdgeLimits withRequestBodyBuffer(int bytes) {
        return new EdgeLimits(maxGuests, guestQueue, bytes, handoffBodyLimit);
    }

    public EdgeLimits withHandoffBodyLimit(long bytes) {
        return new EdgeLimits(maxGuests, guestQueue, requestBodyBuffer, bytes);
    }
}
