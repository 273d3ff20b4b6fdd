/** WebSocket control messages ({@code c:} + JSON) an origin sends to the proxy. */
package dev.outpost.grip.control;
