package dev.outpost.proxy;

import dev.outpost.proxy.config.ProxyConfig;
import dev.outpost.proxy.pubsub.ChannelHub;
import dev.outpost.proxy.pubsub.Drops;
import dev.outpost.proxy.pubsub.LocalChannelHub;
import io.netty.channel.EventLoopGroup;

/**
 * Makes a proxy's {@link ChannelHub} once its event loops exist, so that a hub backed by a bus (issue #14) can run its
 * client on them. The proxy owns the hub it gets and closes it before its loops stop.
 */
@FunctionalInterface
public interface HubFactory {

    /**
     * What a hub may use.
     *
     * @param config    the proxy's configuration
     * @param drops     where the hub counts what it drops
     * @param loops     the proxy's event loops (do not shut them down)
     * @param transport the loops' transport: {@code epoll}, {@code io_uring} or {@code nio}
     */
    record Env(ProxyConfig config, Drops drops, EventLoopGroup loops, String transport) {}

    /** The in-process hub, configured from the proxy's settings. */
    HubFactory LOCAL = env -> new LocalChannelHub(LocalChannelHub.Settings.from(env.config()), env.drops());

    ChannelHub create(Env env);
}
