/**
 * WebSockets through the proxy: {@link dev.outpost.proxy.ws.WsGateway} takes upgrade requests from the HTTP
 * connection; a {@code WsSession} answers the client's handshake once the origin has (a WebSocket origin, a
 * WebSocket-over-HTTP origin or the built-in test target), relays whole messages and, in GRIP mode, handles control
 * messages, subscriptions and published {@code ws-message} items. The session is the state machine; its parts each
 * do one job: {@code WsClientSide} (writing to the client), {@code WsOriginSide} (targets, failover, the current
 * {@code OriginLeg}), {@code WsGripControl} (the origin's GRIP messages), {@code WsSubscriptions} (channels and
 * published items) and {@code WsTimers} (keep-alive, delayed messages).
 *
 * <p>Limits: client frames and messages up to 1,000,000 bytes (close 1009 past them); WebSocket-over-HTTP batches
 * up to 200,000 bytes, answers up to 1,000,000 bytes, 5 retries after connect errors; rejections relayed with up to
 * 100,000 bytes of body. Invariant: only the client's event loop touches a session and its origin connections.
 */
package dev.outpost.proxy.ws;
