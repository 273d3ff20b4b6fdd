package dev.outpost.edge.server;

import dev.outpost.edge.sandbox.GuestCpu;
import java.time.Duration;
import java.util.Objects;

/**
 * The edge's guard rails, each but the last an option of {@code outpost serve} (docs/limits.md, section "Edge").
 *
 * @param maxGuests guest runs at once ({@code --max-guests}); more requests wait for a free one
 * @param guestQueue requests that may wait for a guest run ({@code --guest-queue}); past it, {@code 503}
 * @param requestBodyBuffer bytes of a request body held in memory while the guest has not read them
 *     ({@code --request-body-buffer}); past it, reading from the client pauses until the guest reads
 * @param handoffBodyLimit bytes of a request body kept for a Fanout or WebSocket handoff
 *     ({@code --handoff-body-limit}); a handoff of a longer body is refused with {@code 413}
 * @param guestCpus guest runs on the CPU at once ({@code --guest-cpus}; a run waiting in a hostcall is not on it);
 *     {@link #GUEST_CPUS_FOLLOW_COMPILER} by default: one per core while the JIT compiler works, two once it is idle
 * @param clientTimeout how long a client may take to send a request head (the first, or the next on a kept-alive
 *     connection) and may pause within a request body before the connection is closed: the GRIP proxy's rule
 *     ({@link dev.outpost.origin.ClientTimeouts}) with nginx's 60 s for all three; zero turns it off
 */
public record EdgeLimits(
        int maxGuests,
        int guestQueue,
        int requestBodyBuffer,
        long handoffBodyLimit,
        int guestCpus,
        Duration clientTimeout) {
    public static final int DEFAULT_MAX_GUESTS = 8;
    public static final int DEFAULT_GUEST_QUEUE = 256;
    public static final int DEFAULT_REQUEST_BODY_BUFFER = 1 << 20;
    public static final long DEFAULT_HANDOFF_BODY_LIMIT = 1L << 20;
    /** {@link #guestCpus} that follows the JIT compiler: one run per core while it works, two once it is idle. */
    public static final int GUEST_CPUS_FOLLOW_COMPILER = 0;
    /** nginx's {@code client_header_timeout}, {@code client_body_timeout}, and its keep-alive one capped. */
    public static final Duration DEFAULT_CLIENT_TIMEOUT = Duration.ofSeconds(60);

    public static final EdgeLimits DEFAULT = new EdgeLimits(
            DEFAULT_MAX_GUESTS, DEFAULT_GUEST_QUEUE, DEFAULT_REQUEST_BODY_BUFFER, DEFAULT_HANDOFF_BODY_LIMIT);

    /** The four options, with the default guest CPUs and client timeout. */
    public EdgeLimits(int maxGuests, int guestQueue, int requestBodyBuffer, long handoffBodyLimit) {
        this(
                maxGuests,
                guestQueue,
                requestBodyBuffer,
                handoffBodyLimit,
                GUEST_CPUS_FOLLOW_COMPILER,
                DEFAULT_CLIENT_TIMEOUT);
    }

    public EdgeLimits {
        Objects.requireNonNull(clientTimeout, "clientTimeout");
        if (clientTimeout.isNegative()) {
            throw new IllegalArgumentException("client timeout: " + clientTimeout + " (expected: zero or more)");
        }
        if (maxGuests < 1) {
            throw new IllegalArgumentException("--max-guests: " + maxGuests + " (expected: at least 1)");
        }
        if (guestCpus != GUEST_CPUS_FOLLOW_COMPILER) {
            GuestCpu.checkedSize(guestCpus);
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
        return new EdgeLimits(n, guestQueue, requestBodyBuffer, handoffBodyLimit, guestCpus, clientTimeout);
    }

    public EdgeLimits withGuestQueue(int n) {
        return new EdgeLimits(maxGuests, n, requestBodyBuffer, handoffBodyLimit, guestCpus, clientTimeout);
    }

    public EdgeLimits withRequestBodyBuffer(int bytes) {
        return new EdgeLimits(maxGuests, guestQueue, bytes, handoffBodyLimit, guestCpus, clientTimeout);
    }

    public EdgeLimits withHandoffBodyLimit(long bytes) {
        return new EdgeLimits(maxGuests, guestQueue, requestBodyBuffer, bytes, guestCpus, clientTimeout);
    }

    public EdgeLimits withClientTimeout(Duration timeout) {
        return new EdgeLimits(maxGuests, guestQueue, requestBodyBuffer, handoffBodyLimit, guestCpus, timeout);
    }

    /** A fixed number of guest runs on the CPU at once, at least 1. */
    public EdgeLimits withGuestCpus(int n) {
        return new EdgeLimits(
                maxGuests, guestQueue, requestBodyBuffer, handoffBodyLimit, GuestCpu.checkedSize(n), clientTimeout);
    }
}
