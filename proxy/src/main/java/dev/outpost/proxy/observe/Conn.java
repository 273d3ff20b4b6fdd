package dev.outpost.proxy.observe;

import java.util.ArrayDeque;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/** One connection as the inspector knows it: open, or recently closed. Touched by the inspector's thread only. */
final class Conn {
    final String id;
    final String peer;
    /** The real client of a handoff from the local Compute server (X-Forwarded-For), or null. */
    String client;

    final long opened;
    String transport;
    long closed;
    String method;
    String uri;
    long requestNanos;
    String route;
    String target;
    int originStatus;
    String holdMode;
    long holdSince;
    String lastHoldEnd;
    Map<String, Object> instruct;
    final Set<String> channels = new LinkedHashSet<>();
    Map<String, String> meta = Map.of();
    long delivered;
    long dropped;
    long keepAlives;
    /** The outcomes of the last {@value Model#HISTORY} publishes on its channels, oldest first. */
    final ArrayDeque<Hist> history = new ArrayDeque<>();

    /** What became of one publish for this connection. */
    static final class Hist {
        final long pub;
        final String channel;
        final String itemId;
        final long time;
        String outcome = "pending";
        String reason;

        Hist(long pub, String channel, String itemId, long time) {
            this.pub = pub;
            this.channel = channel;
            this.itemId = itemId;
            this.time = time;
        }
    }

    Conn(String id, String transport, String peer, long opened) {
        this.id = id;
        this.transport = transport;
        this.peer = peer;
        this.opened = opened;
    }

    /** Adds a history entry, the oldest going past {@value Model#HISTORY}. */
    void remember(Hist h) {
        history.addLast(h);
        if (history.size() > Model.HISTORY) {
            history.removeFirst();
        }
    }

    /** The publish format this connection takes now, or null. */
    String format() {
        if ("ws".equals(transport)) {
            return "ws-message";
        }
        if ("response".equals(holdMode)) {
            return "http-response";
        }
        return "stream".equals(holdMode) ? "http-stream" : null;
    }

    /** A display name of the transport: http, long-poll, stream or ws. */
    String kind() {
        if ("ws".equals(transport)) {
            return "ws";
        }
        if ("response".equals(holdMode)) {
            return "long-poll";
        }
        return "stream".equals(holdMode) ? "stream" : "http";
    }
}
