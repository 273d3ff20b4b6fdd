/**
 * Helpers for GRIP origins (backends behind a GRIP proxy): {@link dev.outpost.grip.origin.GripInstruction} writes the
 * instructions that hold a request, {@link dev.outpost.grip.origin.GripSigVerifier} checks {@code Grip-Sig}, and
 * {@link dev.outpost.grip.origin.WebSocketContext} reads and answers WebSocket-over-HTTP requests. Pure: no I/O.
 */
package dev.outpost.grip.origin;
