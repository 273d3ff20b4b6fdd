package dev.outpost.proxy.ws;

import dev.outpost.proxy.pubsub.Drops;

/**
 * What a {@link WsSession}'s parts (subscriptions, control messages, timers) may ask of the session itself. Called on
 * the client's event loop only.
 */
interface SessionControl {

    /** Whether the WebSocket is open (the 101 sent, no close begun). */
    boolean open();

    /** Sends a message to the client; nothing once the WebSocket is no longer open. */
    void sendToClient(Msg m);

    /** Bytes written to the client and not yet taken by its socket. */
    long unsentBytes();

    /** Starts a close with the client (see {@link WsClientSide#CLOSE_WAIT_SECONDS}); nothing unless open. */
    void closeClient(int code, String reason);

    /** What limits did to this connection, made at the first. */
    Drops.Tally tally();
}
