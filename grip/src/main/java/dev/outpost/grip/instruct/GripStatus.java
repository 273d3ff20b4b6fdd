package dev.outpost.grip.instruct;

import java.util.Objects;

/**
 * {@code Grip-Status}: the status line the client sees instead of the origin's.
 *
 * @param code   0 to 999
 * @param reason the given reason, or the standard phrase for the code
 */
public record GripStatus(int code, String reason) {
    public GripStatus {
        Objects.requireNonNull(reason, "reason");
    }
}
