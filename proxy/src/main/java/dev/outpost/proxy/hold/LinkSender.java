package dev.outpost.proxy.hold;

import dev.outpost.origin.OriginClient;
import io.netty.handler.codec.http.HttpMethod;
import java.net.URI;
import java.util.Map;

/**
 * Sends a request the proxy makes for a hold ({@code Grip-Link} next or gone) to where the routes say its URL goes,
 * signed as the route's requests are. The session implements it for one client connection (it knows the routes, the
 * signers and the built-in test origin); the hold side decides when to send, retries, and reads the answer.
 */
public interface LinkSender {
    /** Largest link response body read. */
    int MAX_BODY = 1_000_000;

    /**
     * Starts {@code method} on the absolute {@code link} with a {@code Grip-Last} header for each entry of
     * {@code gripLast}; {@code cb} is answered on the connection's event loop (call on that loop). Returns the call in
     * flight, to cancel it, or null when the answer was given at once.
     *
     * @throws IllegalArgumentException when {@code link} can't be sent anywhere
     */
    OriginClient.Call send(HttpMethod method, URI link, Map<String, String> gripLast, OriginClient.Callback cb);
}
