/**
 * One client connection and its requests: {@link dev.outpost.proxy.session.ClientConnection} runs requests in order,
 * each a {@code ProxyExchange} that routes, forwards to the origin through the per-event-loop {@code OriginPool},
 * relays plain responses as they stream and hands GRIP responses to a hold.
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
