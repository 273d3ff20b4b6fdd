package dev.outpost.edge.sandbox;

import java.nio.charset.StandardCharsets;

/** Where a sandbox's client response goes. Called at most once per request, on the guest thread. */
public interface DownstreamResponder {
    /**
     * Starts the client response. The body may still be written to when {@code streaming}; the responder reads it until
     * it ends.
     */
    void send(ResponseState head, Body body, boolean streaming);

    /**
     * The guest handed the client over instead of answering. The server either passes the request on to a proxy that
     * then owns the client connection, or answers itself. The default answers 500 as Viceroy does when Fanout is off.
     */
    default void handoff(GripHandoff handoff) {
        ResponseState head = new ResponseState();
        head.status = 500;
        head.headers.insert("content-type", "text/plain; charset=utf-8");
        String text = handoff.kind() == GripHandoff.Kind.GRIP
                ? "Pushpin handoff signaled, but Pushpin mode not enabled."
                : "Backend handoff signaled, but this server does not support WebSocket passthrough.";
        send(head, Body.of(text.getBytes(StandardCharsets.UTF_8)), false);
    }
}
