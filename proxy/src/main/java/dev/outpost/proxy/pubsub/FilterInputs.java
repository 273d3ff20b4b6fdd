package dev.outpost.proxy.pubsub;

import java.util.List;
import java.util.Map;

/** What a session's subscription filters read of the session. Called on the session's event loop. */
public interface FilterInputs {

    /** Subscription meta ({@code Grip-Set-Meta}, WebSocket {@code set-meta}). */
    Map<String, String> meta();

    /** The filters of the subscription to {@code channel}, in order. */
    List<String> filters(String channel);

    /** Whether the same connection is subscribed to {@code channel} ({@code require-sub}). */
    boolean subscribedTo(String channel);

    /** The session's last known ID per channel ({@code build-id}); empty when the session tracks none. */
    default Map<String, String> lastIds() {
        return Map.of();
    }

    /** Names the connection in debug logs. */
    String connectionId();
}
