package dev.outpost.edge.sandbox;

import java.net.InetSocketAddress;

/**
 * The client request a sandbox handles.
 *
 * @param head method, absolute URI ({@code http://<host><path>}), version and headers
 * @param body the request body, written by the server as it arrives
 * @param requestId 32 hex digits, as {@code FASTLY_TRACE_ID}
 */
public record DownstreamRequest(
        RequestState head, Body body, InetSocketAddress client, InetSocketAddress server, String requestId) {}
