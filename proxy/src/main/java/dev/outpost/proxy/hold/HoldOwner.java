package dev.outpost.proxy.hold;

import java.util.Map;

/**
 * The client session's side of a hold, for what only the session can do: be told once when the hold has written
 * its last byte, and send the original request to the origin again (a long-poll's {@code Grip-Last} retry).
 */
public interface HoldOwner {

    /**
     * The hold is over and its response fully written (or the write failed).
     *
     * @param keepAlive whether the client connection may carry another request
     */
    void holdFinished(boolean keepAlive);

    /**
     * Re-sends the original request to the origin with {@code Grip-Last: <channel>; last-id=<id>} for each entry;
     * the new answer replaces the hold. Returns false when that is not possible (the hold then stays); on true the
     * hold is over and must write nothing more.
     */
    default boolean retry(Map<String, String> gripLast) {
        return false;
    }
}
