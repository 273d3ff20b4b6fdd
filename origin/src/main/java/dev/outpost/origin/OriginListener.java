package dev.outpost.origin;

import io.netty.handler.codec.http.HttpObject;

/** Whoever currently uses a pooled HTTP connection. Called on the connection's event loop. */
public interface OriginListener {

    /** A decoded response part; the listener owns it. */
    void originRead(HttpObject msg);

    /** The connection closed or failed ({@code cause} null for a plain close). */
    void originClosed(Throwable cause);
}
