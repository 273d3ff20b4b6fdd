package dev.outpost.bus;

import dev.outpost.bus.redis.BusSettings;
import dev.outpost.bus.redis.RedisChannelHub;
import dev.outpost.bus.zmq.ZmqInputs;
import dev.outpost.bus.zmq.ZmqSettings;
import dev.outpost.proxy.HubFactory;
import dev.outpost.proxy.OutpostProxy;
import dev.outpost.proxy.config.ConfigException;
import dev.outpost.proxy.config.ProxyConfig;
import dev.outpost.proxy.pubsub.LocalChannelHub;
import dev.outpost.proxy.route.RouteTable;
import java.util.Optional;

/**
 * One proxy node as {@code outpost proxy} runs it: the proxy, on a Redis bus when {@code bus} is set (issue #14), with
 * Pushpin's ZeroMQ inputs when they are configured. Without either it is exactly {@link OutpostProxy#start}.
 */
public final class OutpostNode implements AutoCloseable {
    private final OutpostProxy proxy;
    private final ZmqInputs zmq;
    private final BusSettings bus;

    private OutpostNode(OutpostProxy proxy, ZmqInputs zmq, BusSettings bus) {
        this.proxy = proxy;
        this.zmq = zmq;
        this.bus = bus;
    }

    /** Starts the node; a bad {@code bus} or ZeroMQ spec is a {@link ConfigException} naming the key and value. */
    public static OutpostNode start(ProxyConfig config, RouteTable routes) throws ConfigException {
        Optional<BusSettings> bus;
        ZmqSettings zs;
        try {
            bus = BusSettings.from(config);
            zs = ZmqSettings.from(config);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
        ZmqInputs zmq = zs.isEmpty() ? null : new ZmqInputs(zs).linger(config.subscriptionLingerSeconds());
        HubFactory hubs;
        if (bus.isPresent()) {
            BusSettings b = bus.get();
            hubs = env -> new RedisChannelHub(env, b, zmq == null ? null : zmq.interest());
        } else if (zmq != null && zs.subscribes()) {
            // Pushpin updates sessions on a channel's first subscription when its SUB input is on
            hubs = env -> {
                LocalChannelHub.Settings s = LocalChannelHub.Settings.from(env.config())
                        .withUpdateOnFirstSubscription(env.config().updateOnFirstSubscription());
                return new LocalChannelHub(s, env.drops(), zmq.interest(), true);
            };
        } else {
            hubs = HubFactory.LOCAL;
        }
        OutpostProxy proxy = OutpostProxy.start(config, routes, hubs);
        if (zmq != null) {
            try {
                zmq.start(proxy.hub());
            } catch (RuntimeException e) {
                proxy.close();
                throw e;
            }
        }
        return new OutpostNode(proxy, zmq, bus.orElse(null));
    }

    public OutpostProxy proxy() {
        return proxy;
    }

    /** The ZeroMQ inputs, or null when none is configured. */
    public ZmqInputs zmq() {
        return zmq;
    }

    /** The bus, or null for a node alone. */
    public BusSettings bus() {
        return bus;
    }

    @Override
    public void close() {
        if (zmq != null) {
            zmq.close();
        }
        proxy.close();
    }
}
