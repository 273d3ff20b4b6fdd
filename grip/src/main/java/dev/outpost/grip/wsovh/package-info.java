/** WebSocket-over-HTTP: the {@code application/websocket-events} body codec. */
package dev.outpost.grip.wsovh;
