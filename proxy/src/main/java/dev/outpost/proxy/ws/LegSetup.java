package dev.outpost.proxy.ws;

import dev.outpost.origin.OriginConnector;
import dev.outpost.proxy.config.ProxyLimits;
import dev.outpost.proxy.route.Target;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.function.Supplier;

/**
 * What an {@link OriginLeg} is given to reach one target: made by {@link WsOriginSide} for each target it tries.
 *
 * @param loop         the client channel's event loop, where the leg and its origin connections run
 * @param connector    how the origin is reached
 * @param target       the target this leg tries
 * @param uri          the request target the origin gets (route rewrite applied)
 * @param headers      the handshake headers the origin gets (cleaned, route and target {@code Host} applied); the
 *                     leg's own copy
 * @param gripSig      a fresh {@code Grip-Sig} for each request, or null when none goes on
 * @param grip         whether the route speaks GRIP (not {@code no_grip})
 * @param connectionId the session's {@code Connection-Id} (WebSocket-over-HTTP)
 * @param limits       the proxy's queue and timeout limits
 */
record LegSetup(
        EventLoop loop,
        OriginConnector connector,
        Target target,
        String uri,
        HttpHeaders headers,
        Supplier<String> gripSig,
        boolean grip,
        String connectionId,
        ProxyLimits limits) {}
