package dev.outpost.proxy.observe;

import java.util.Locale;

/** Why a published item did not reach a connection. */
public enum DropReason {
    /** Nobody was subscribed to the channel. */
    NO_SUBSCRIBER,
    /** The item does not carry the format the connection takes (say, no {@code http-stream} for a stream). */
    NO_FORMAT,
    /** A subscription filter ({@code skip-self}, {@code skip-users}, ...) left it out. */
    FILTERED,
    /** The connection's queue was full (a slow client). */
    DROPPED_QUEUE_FULL,
    /** The delivery rate limit ({@code message_rate}) was exceeded. */
    DROPPED_RATE,
    /** Out of sequence for {@code prev-id}, or a duplicate id. */
    DROPPED_SEQUENCE,
    /** The session had already ended (hold answered, connection closing). */
    CLOSED,
    /** The item's {@code body-patch} could not be applied to the held response. */
    PATCH_FAILED,
    /** The item's action does not apply here (say, {@code hint} or {@code refresh} not supported). */
    UNSUPPORTED_ACTION;

    /** The label used in metrics and the inspector: lower case. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
