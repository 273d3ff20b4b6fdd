/**
 * One way to reach an HTTP server, shared by everything that makes outgoing connections: an {@link
 * dev.outpost.origin.Endpoint} names where and how, the {@link dev.outpost.origin.OriginConnector} opens a channel on
 * the caller's event loop (asynchronous DNS, each address in turn, TLS handshake done) as its {@link
 * dev.outpost.origin.ConnectOptions} say (timeouts, address order, TLS settings, server name), {@link
 * dev.outpost.origin.TlsContexts} holds one client TLS context per distinct {@link dev.outpost.origin.TlsSettings}, the {@link
 * dev.outpost.origin.OriginPool} keeps idle HTTP/1.1 connections per loop and endpoint, {@link
 * dev.outpost.origin.Failover} walks a list of endpoints and names what it tried, and the {@link
 * dev.outpost.origin.OriginClient} makes one buffered request. Used by the proxy and by the edge (its backends and handoffs). Netty only: no GRIP, no routes.
 */
package dev.outpost.origin;
