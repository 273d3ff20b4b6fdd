package dev.outpost.proxy.ws;

import dev.outpost.grip.wsovh.WsEvent;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The client's events waiting for a WebSocket-over-HTTP origin, counted in bytes as Pushpin counts its buffer: past
 * {@code websocket_over_http_queue_max} the leg stops taking more (the client is not read from), and the leg's
 * listener hears each change of that and the limit when it bites. Taken out in batches of at most
 * {@value #MAX_BATCH} bytes (at least one event).
 */
final class WohQueue {
    static final int MAX_BATCH = 200_000;

    private final ArrayDeque<WsEvent> queue = new ArrayDeque<>();
    private final long max;
    private final OriginLeg.Listener listener;
    /** The size of {@link #queue} as {@link #size} counts it. */
    private long queued;

    WohQueue(long max, OriginLeg.Listener listener) {
        this.max = max;
        this.listener = listener;
    }

    boolean acceptsMore() {
        return queued < max;
    }

    boolean isEmpty() {
        return queue.isEmpty();
    }

    void put(WsEvent e) {
        boolean was = acceptsMore();
        queue.add(e);
        queued += size(e);
        if (was && !acceptsMore()) {
            listener.limitHit(
                    "websocket_over_http_queue_max",
                    queued + " bytes of events wait for the origin: the client is not read from until it catches up");
            listener.backlogChanged();
        }
    }

    private WsEvent take() {
        WsEvent e = queue.poll();
        if (e != null) {
            boolean was = acceptsMore();
            queued -= size(e);
            if (!was && acceptsMore()) {
                listener.backlogChanged();
            }
        }
        return e;
    }

    /** The next request's events: one only ({@code oneEvent}), else as many as fit in {@value #MAX_BATCH} bytes. */
    List<WsEvent> nextBatch(boolean oneEvent) {
        List<WsEvent> b = new ArrayList<>();
        int size = 0;
        while (!queue.isEmpty()) {
            WsEvent e = queue.peek();
            int s = size(e);
            if (!b.isEmpty() && (oneEvent || size + s > MAX_BATCH)) {
                break;
            }
            b.add(take());
            size += s;
        }
        return b;
    }

    /** Drops what waits; the listener hears that the leg takes more again. */
    void clear() {
        boolean was = acceptsMore();
        queue.clear();
        queued = 0;
        if (!was) {
            listener.backlogChanged();
        }
    }

    /** Drops what waits, telling nobody: the leg is done. */
    void discard() {
        queue.clear();
        queued = 0;
    }

    private static int size(WsEvent e) {
        return switch (e) {
            case WsEvent.Text t -> t.content().length + 16;
            case WsEvent.Binary t -> t.content().length + 16;
            case WsEvent.Ping t -> t.content().length + 16;
            case WsEvent.Pong t -> t.content().length + 16;
            case WsEvent.Close c -> c.reason().length() * 3 + 16;
            default -> 16;
        };
    }
}
