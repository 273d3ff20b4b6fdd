package dev.outpost.proxy.hold;

import dev.outpost.grip.instruct.KeepAlive;
import dev.outpost.grip.instruct.NextLink;
import io.netty.handler.codec.http.HttpVersion;
import java.net.URI;
import java.util.List;
import java.util.Map;

/**
 * What the session hands a hold, once, when a GRIP instruction is accepted: the facts of the client's request the
 * hold answers by, the response to send (or keep as the timeout response), the instruction's parameters and links.
 * Immutable; the hold keeps what it needs of it.
 *
 * @param client the client request's version, keep-alive, method and URL facts
 * @param response the origin's response as the client sees it (instruct response and {@code Grip-Status} applied)
 * @param instruction the channels, meta, timeout and keep-alive to hold with
 * @param links the next and gone links, and how the channels of a next link's instructions are made
 * @param debug whether error texts may be shown to the client ({@code debug}, the configuration's or the route's)
 */
public record HoldHandoff(Client client, HeldResponse response, Instruction instruction, Links links, boolean debug) {

    /**
     * The client request's facts a hold answers by.
     *
     * @param linkBase what links resolve against: the URL the client asked for (Host and path, {@code https://} for a
     *     TLS client), or
     *     null when that is not a URL (then no link can be followed)
     */
    public record Client(HttpVersion version, boolean keepAlive, boolean headRequest, URI linkBase) {
        /** Facts for a request whose links are never followed. */
        public Client(HttpVersion version, boolean keepAlive, boolean headRequest) {
            this(version, keepAlive, headRequest, null);
        }
    }

    /**
     * The instruction's parameters.
     *
     * @param channels the channels to subscribe, route prefix applied, in order
     * @param meta the instruction's {@code Grip-Set-Meta}
     * @param timeoutSeconds how long a response hold waits ({@code Grip-Timeout}); not used by streams
     * @param keepAlive a stream's keep-alive, or null
     * @param noHold a body-only answer that a next link continues (no channels, no subscription)
     */
    public record Instruction(
            List<HoldChannel> channels,
            Map<String, String> meta,
            int timeoutSeconds,
            KeepAlive keepAlive,
            boolean noHold) {
        public Instruction {
            channels = List.copyOf(channels);
            meta = meta == null ? Map.of() : Map.copyOf(meta);
        }
    }

    /**
     * Where the hold goes back to the origin.
     *
     * @param next a stream's next link, or null
     * @param gone the {@code Grip-Link rel=gone} posted when the client leaves, or null
     * @param channels how the channels of a fetched next link's instructions are made
     */
    public record Links(NextLink next, String gone, ChannelRules channels) {
        public static final Links NONE = new Links(null, null, ChannelRules.NONE);

        public Links {
            channels = channels == null ? ChannelRules.NONE : channels;
        }
    }

    public HoldHandoff {
        links = links == null ? Links.NONE : links;
    }

    /** The channels to subscribe. */
    public List<HoldChannel> channels() {
        return instruction.channels();
    }
}
