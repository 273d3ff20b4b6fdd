package dev.outpost.edge.server;

/**
 * Told about each request the Compute server finished, when it writes its request log line. Called on an event loop
 * or a guest thread: keep it short and do not block.
 */
@FunctionalInterface
public interface EdgeRequestListener {
    EdgeRequestListener NONE = request -> {};

    void requestEnded(Request request);

    /**
     * One finished request.
     *
     * @param path the request target in origin form ({@code /path?query})
     * @param millis from the request head's arrival to the end of the response
     * @param handoff {@code fanout} (to the GRIP proxy) or {@code websocket} (to a backend) when the app handed the
     *     request off, else null
     * @param backend the backend named by the handoff, else null
     */
    record Request(String method, String path, int status, long millis, String handoff, String backend) {}
}
