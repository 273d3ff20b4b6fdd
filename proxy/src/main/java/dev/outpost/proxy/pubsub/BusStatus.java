package dev.outpost.proxy.pubsub;

/**
 * What a hub backed by a bus tells about it, read at any time from any thread (the inspector's summary and
 * {@code /metrics}). Counts only grow.
 */
public interface BusStatus {
    /** The bus, without credentials (e.g. {@code redis://10.0.0.5:6379/0}). */
    String uri();

    /** True while the node can publish and receives what it subscribed to. */
    boolean connected();

    /** Items received from the bus. */
    long messagesIn();

    /** Items this node put on the bus. */
    long messagesOut();

    /** Publishes answered 503 because the bus did not take them (unreachable, too slow, queue full). */
    long publishFailures();

    /** Items sent to the bus and not yet confirmed by it. */
    int queued();

    /** From the bus's timestamp of the last item received to its arrival here, in milliseconds (0 before any). */
    double lagMillis();

    /** Channels this node is subscribed to on the bus. */
    int busChannels();

    /** The last connection or publish error, or null. */
    String lastError();
}
