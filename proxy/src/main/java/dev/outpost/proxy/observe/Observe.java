package dev.outpost.proxy.observe;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.AttributeKey;

/**
 * Finds a client channel's observer, so that sessions report without it being passed through every constructor:
 * {@code Observe.of(ctx).keepAliveSent(Observe.id(ctx))}.
 */
public final class Observe {
    /** Set on every client channel by the proxy that accepted it. */
    public static final AttributeKey<ProxyObserver> KEY = AttributeKey.valueOf("outpost.observer");

    private Observe() {}

    /** The channel's observer, or {@link ProxyObserver#NOOP}. */
    public static ProxyObserver of(Channel ch) {
        ProxyObserver o = ch == null ? null : ch.attr(KEY).get();
        return o == null ? ProxyObserver.NOOP : o;
    }

    public static ProxyObserver of(ChannelHandlerContext ctx) {
        return of(ctx.channel());
    }

    /** The connection id used in every observer call: the channel's short id. */
    public static String id(Channel ch) {
        return ch.id().asShortText();
    }

    public static String id(ChannelHandlerContext ctx) {
        return id(ctx.channel());
    }
}
