package dev.outpost.proxy.hold;

import dev.outpost.grip.instruct.HoldMode;
import dev.outpost.grip.instruct.KeepAlive;
import dev.outpost.grip.instruct.NextLink;
import java.util.List;
import java.util.Map;

/**
 * What a fetched next link said: its body (appended to the stream) and its instructions, which replace the current
 * ones.
 *
 * @param hold      {@code STREAM}, or null for no hold (then {@code nextLink} continues the response or it ends)
 * @param channels  the new channels, route prefix applied
 * @param keepAlive the new keep-alive, or null
 * @param nextLink  the new next link, or null
 * @param meta      the new subscription meta
 * @param body      the response body to append
 */
public record NextStep(
        HoldMode hold,
        List<HoldChannel> channels,
        KeepAlive keepAlive,
        NextLink nextLink,
        Map<String, String> meta,
        byte[] body) {
    public NextStep {
        channels = channels == null ? List.of() : List.copyOf(channels);
        meta = meta == null ? Map.of() : Map.copyOf(meta);
        body = body == null ? new byte[0] : body;
    }

    /** Where a stream's next links are fetched: {@link NextLinks}, or a stand-in in tests. */
    public interface Source {
        /**
         * GETs {@code link} (as the origin gave it) with {@code Grip-Last} headers, retrying with backoff, and answers
         * {@code to} on the hold's event loop. Returns false when links can't be followed.
         */
        boolean fetch(String link, Map<String, String> gripLast, Listener to);

        /** Stops a fetch in flight or waiting for its retry; no answer follows. */
        void cancel();

        /** The client left: {@link #cancel()}, and post the gone link if there is one. */
        void clientLeft();
    }

    /** The answer to {@link Source#fetch}, on the hold's event loop. */
    public interface Listener {
        void next(NextStep step);

        /** The link could not be fetched (after retries) or its answer was not usable. */
        void nextFailed(String why);
    }
}
