/**
 * One client connection and its requests: {@link dev.outpost.proxy.session.ClientConnection} runs requests in order,
 * each a {@code ProxyExchange}, a state machine over parts with one job each: {@code RequestPlan} routes,
 * {@code OriginCall} forwards to the origin through the per-event-loop {@code OriginPool}, {@code ResponseRelay}
 * relays plain responses as they stream, and {@code GripAccept} turns a GRIP response into the hand-over to a hold.
 * {@code LinkRequests} sends the holds' next and gone links where the routes say.
 *
 * <p>Limits:
 * <table>
 * <caption>Limits</caption>
 * <tr><td>GRIP response body buffered</td><td>100,000 bytes (a stream hold past it is streamed through)</td></tr>
 * <tr><td>request body for a GRIP hold</td><td>100,000 bytes, else 400</td></tr>
 * <tr><td>origin connect timeout</td><td>10 s, then the next target</td></tr>
 * <tr><td>idle pooled origin connections</td><td>64 per origin and event loop, closed after 60 s</td></tr>
 * <tr><td>pipelined requests read ahead while a response is pending</td><td>32 parts</td></tr>
 * </table>
 */
package dev.outpost.proxy.session;
