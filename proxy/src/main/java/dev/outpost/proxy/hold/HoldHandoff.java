package dev.outpost.proxy.hold;

import dev.outpost.grip.instruct.KeepAlive;
import dev.outpost.grip.instruct.NextLink;
import io.netty.handler.codec.http.HttpVersion;
import java.util.List;
import java.util.Map;

/**
 * What the session hands a hold, once, when a GRIP instruction is accepted: the facts of the client's request the
 * hold answers by, the response to send (or keep as the timeout response), the channels and the instruction's
 * parameters. Immutable; the hold keeps what it needs of it.
 *
 * @param client the client request's version, keep-alive and method facts
 * @param response the origin's response as the client sees it (instruct response and {@code Grip-Status} applied)
 * @param channels the channels to subscribe, route prefix applied, in order
 * @param meta the instruction's {@code Grip-Set-Meta}
 * @param timeoutSeconds how long a response hold waits ({@code Grip-Timeout}); not used by streams
 * @param keepAlive a stream's keep-alive, or null
 * @param nextLink a stream's next link, or null
 * @param noHold a body-only answer that a next link continues (no channels, no subscription)
 */
public record HoldHandoff(
        Client client,
        HeldResponse response,
        List<HoldChannel> channels,
        Map<String, String> meta,
        int timeoutSeconds,
        KeepAlive keepAlive,
        NextLink nextLink,
        boolean noHold) {

    /** The client request's facts a hold answers by. */
    public record Client(HttpVersion version, boolean keepAlive, boolean headRequest) {}

    public HoldHandoff {
        channels = List.copyOf(channels);
        meta = meta == null ? Map.of() : Map.copyOf(meta);
    }
}
