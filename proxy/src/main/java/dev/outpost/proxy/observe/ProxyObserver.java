package dev.outpost.proxy.observe;

import dev.outpost.grip.instruct.GripInstruct;
import dev.outpost.grip.publish.PublishItem;
import java.util.List;
import java.util.Map;

/**
 * What the proxy tells about itself as it works: connections, held requests, subscriptions, publishes and what
 * became of each delivery. Metrics and the inspector are built on it.
 *
 * <p>Every method may be called on any thread (mostly a client's event loop) and must return quickly without
 * throwing. A connection is named by its Netty channel id (its short text, {@code channel.id().asShortText()}). All methods do nothing by default.
 */
public interface ProxyObserver {

    /** The observer that does nothing, used when observation is off. */
    ProxyObserver NOOP = new ProxyObserver() {};

    /** A client connected; {@code transport} is {@code http} (it may become {@code ws} later). */
    default void connectionOpened(String connId, String transport, String peer) {}

    /** The client connection is closed; ends any hold and subscription it had. */
    default void connectionClosed(String connId) {}

    /** The connection changed transport (an HTTP connection upgraded to {@code ws}). */
    default void transportChanged(String connId, String transport) {}

    /** A request arrived on the connection (one per request, also the ones later held). */
    default void requestReceived(String connId, String method, String uri) {}

    /**
     * The origin answered the connection's current request (the status line arrived); the latency is measured from
     * {@link #requestReceived}. {@code route} is the route id or null.
     */
    default void originResponse(String connId, String route, String target, int status) {}

    /**
     * The request is held: {@code mode} is {@code response} or {@code stream}, {@code channels} the channel names
     * subscribed (route prefix applied), {@code instruct} the decoded GRIP instruction.
     */
    default void holdStarted(String connId, String mode, List<String> channels, GripInstruct instruct) {}

    /** The held request ended: {@code timeout}, {@code published}, {@code closed} (a close item) or {@code finished}. */
    default void holdEnded(String connId, String reason) {}

    /** A WebSocket connection joined a channel (GRIP control message or implicit). */
    default void subscribed(String connId, String channel) {}

    /** A WebSocket connection left a channel. */
    default void unsubscribed(String connId, String channel) {}

    /** Connection meta changed (WebSocket {@code set-meta}); the map is the full meta now. */
    default void metaChanged(String connId, Map<String, String> meta) {}

    /** An item arrived on the publish API (called before it is fanned out). */
    default void publishReceived(PublishItem item) {}

    /** The item was written (or queued for writing) to the connection. */
    default void delivered(String connId, String channel, PublishItem item) {}

    /** The item reached the connection's session but was not sent to the client, for {@code reason}. */
    default void notDelivered(String connId, String channel, PublishItem item, DropReason reason) {}

    /**
     * The item carried no content for the connection but an action it carried out: {@code hint} or {@code refresh}
     * (the origin was asked again) or {@code close}.
     */
    default void acted(String connId, String channel, PublishItem item, String action) {}

    /**
     * The connection's request carried {@code X-Forwarded-For}: on a connection from loopback (a handoff from the
     * local Compute server) its first address is the real client.
     */
    default void forwardedFor(String connId, String value) {}

    /** A keep-alive was sent to the connection. */
    default void keepAliveSent(String connId) {}

    /**
     * A request served by the local Compute server ended. {@code handoff} is {@code fanout} when it was handed to
     * the proxy, else null.
     */
    default void edgeRequest(String method, String path, int status, long millis, String handoff) {}
}
