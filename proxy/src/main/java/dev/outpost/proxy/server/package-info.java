/**
 * Listeners and pipelines: transport choice (epoll, else NIO), the client pipeline (the only place it is built) and
 * {@code client_maxconn}.
 */
package dev.outpost.proxy.server;
