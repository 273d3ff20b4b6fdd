package dev.outpost.proxy.observe;

import dev.outpost.grip.instruct.GripInstruct;
import dev.outpost.grip.publish.PublishItem;
import java.util.List;
import java.util.Map;

/**
 * A {@link ProxyObserver} bound to one client connection: what the connection's sessions (exchange, holds,
 * WebSocket session) report, without each of them knowing the connection id. Made once per connection by the
 * proxy's {@code ClientConnection} and passed down; {@link #NOOP} when observation is off.
 */
public final class ConnectionObserver {
    /** Reports nothing. */
    public static final ConnectionObserver NOOP = new ConnectionObserver(ProxyObserver.NOOP, "-");

    private final ProxyObserver observer;
    private final String id;

    /** Reports to {@code observer} as connection {@code id} (the channel's short id). */
    public ConnectionObserver(ProxyObserver observer, String id) {
        this.observer = observer;
        this.id = id;
    }

    /** {@code observer} bound to {@code id}, or {@link #NOOP} when it is the no-op observer. */
    public static ConnectionObserver of(ProxyObserver observer, String id) {
        return observer == null || observer == ProxyObserver.NOOP ? NOOP : new ConnectionObserver(observer, id);
    }

    /** The connection id every report carries. */
    public String id() {
        return id;
    }

    public void transportChanged(String transport) {
        observer.transportChanged(id, transport);
    }

    public void requestReceived(String method, String uri) {
        observer.requestReceived(id, method, uri);
    }

    public void originResponse(String route, String target, int status) {
        observer.originResponse(id, route, target, status);
    }

    public void holdStarted(String mode, List<String> channels, GripInstruct instruct) {
        observer.holdStarted(id, mode, channels, instruct);
    }

    public void holdEnded(String reason) {
        observer.holdEnded(id, reason);
    }

    public void subscribed(String channel) {
        observer.subscribed(id, channel);
    }

    public void unsubscribed(String channel) {
        observer.unsubscribed(id, channel);
    }

    public void metaChanged(Map<String, String> meta) {
        observer.metaChanged(id, meta);
    }

    public void delivered(String channel, PublishItem item) {
        observer.delivered(id, channel, item);
    }

    public void notDelivered(String channel, PublishItem item, DropReason reason) {
        observer.notDelivered(id, channel, item, reason);
    }

    public void acted(String channel, PublishItem item, String action) {
        observer.acted(id, channel, item, action);
    }

    public void forwardedFor(String value) {
        observer.forwardedFor(id, value);
    }

    public void keepAliveSent() {
        observer.keepAliveSent(id);
    }
}
