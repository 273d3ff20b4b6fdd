package dev.outpost.proxy.ws;

import io.netty.handler.codec.http.HttpHeaders;

/**
 * The origin side of a client WebSocket: a WebSocket origin, a WebSocket-over-HTTP origin or the built-in test
 * target. Every method and every {@link Listener} callback runs on the client channel's event loop.
 */
interface OriginLeg {

    /** Starts the handshake with the origin; the listener hears {@code opened}, {@code rejected} or a failure. */
    void start();

    /** Sends one message (or ping/pong) to the origin. */
    void send(Msg m);

    /** Starts a clean close with the origin ({@code code} -1: none). */
    void close(int code, String reason);

    /** The client is gone without a close: drop the origin side. */
    void disconnect();

    /** The client socket can take more (true) or is full (false): an origin that streams pauses meanwhile. */
    default void clientWritable(boolean writable) {}

    /** Asks the origin for news now (WebSocket-over-HTTP only). */
    default void refresh() {}

    /**
     * Whether the origin side keeps up with what the client sends: while false, the client is not read from. The leg
     * tells {@link Listener#backlogChanged()} when this may have changed.
     */
    default boolean acceptsMore() {
        return true;
    }

    interface Listener {
        /** The origin accepted: these headers (not yet cleaned) go into the client's 101. */
        void opened(HttpHeaders responseHeaders);

        /** The origin answered the handshake with something other than a WebSocket: relay it. */
        void rejected(int code, String reason, HttpHeaders headers, byte[] body);

        /** The origin could not be reached (connect or TLS error) while opening: the next target may be tried. */
        void unreachable(String why);

        /** Any other failure: before the 101 the client gets a 502, after it the connection ends. */
        void failed(String why);

        void message(Msg m);

        /** The origin closed ({@code code} -1: no code). */
        void closed(int code, String reason);

        /** The origin dropped the connection without a close. */
        void disconnected();

        /** {@link OriginLeg#acceptsMore()} may have changed. */
        default void backlogChanged() {}

        /** A configured limit (by its key) bit on this leg, for the connection's count. */
        default void limitHit(String limit, String detail) {}
    }
}
