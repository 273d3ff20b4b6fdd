package dev.outpost.proxy.session;

import io.netty.handler.codec.http.HttpObject;

/** The exchange currently using an origin connection. Called on the connection's event loop. */
interface OriginListener {

    /** A decoded response part; the listener owns it. */
    void originRead(HttpObject msg);

    /** The connection closed or failed. */
    void originClosed(Throwable cause);
}
