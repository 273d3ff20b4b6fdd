package dev.outpost.grip.publish;

/** WebSocket frame type of a published message. */
public enum WsMessageType {
    TEXT,
    BINARY,
    PING,
    PONG
}
