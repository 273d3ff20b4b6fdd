package dev.outpost.grip.instruct;

import dev.outpost.grip.internal.Bytes;
import java.util.Arrays;
import java.util.Objects;

/**
 * Filler sent on a held stream to keep intermediaries from timing it out.
 *
 * @param content        the bytes to send, never empty
 * @param timeoutSeconds period in seconds, at least 1
 * @param mode           idle or interval
 */
public record KeepAlive(byte[] content, int timeoutSeconds, KeepAliveMode mode) {
    public static final int DEFAULT_TIMEOUT = 55;

    public KeepAlive {
        Objects.requireNonNull(content, "content");
        Objects.requireNonNull(mode, "mode");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KeepAlive k
                && Arrays.equals(content, k.content)
                && timeoutSeconds == k.timeoutSeconds
                && mode == k.mode;
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(content), timeoutSeconds, mode);
    }

    @Override
    public String toString() {
        return "KeepAlive[content=" + Bytes.show(content) + ", timeoutSeconds=" + timeoutSeconds + ", mode=" + mode
                + "]";
    }
}
