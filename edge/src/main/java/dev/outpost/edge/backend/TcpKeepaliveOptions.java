package dev.outpost.edge.backend;

import dev.outpost.edge.config.BackendOptions;
import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.nio.NioChannelOption;
import java.net.SocketOption;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import jdk.net.ExtendedSocketOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A backend's TCP keep-alive on a new connection: {@code SO_KEEPALIVE}, and the probe timing (the kernel's
 * {@code TCP_KEEPIDLE}, {@code TCP_KEEPINTVL}, {@code TCP_KEEPCNT}, which the JDK's NIO sockets set on Linux and
 * macOS through {@link ExtendedSocketOptions}). Where the platform's sockets lack one, the system's default stays and
 * that is logged once.
 */
final class TcpKeepaliveOptions {
    private static final Logger log = LoggerFactory.getLogger(BackendClient.class);
    private static final AtomicBoolean WARNED = new AtomicBoolean();
    /** Linux's largest idle time and interval ({@code TCP_MAXKEEPIDLE}, {@code MAX_TCP_KEEPINTVL}), and probes. */
    private static final int MAX_SECONDS = 32_767;

    private static final int MAX_PROBES = 127;

    private TcpKeepaliveOptions() {}

    /** Sets {@code keepalive} (null: off) on {@code channel}, which must not be connected yet. */
    static void apply(Channel channel, BackendOptions.TcpKeepalive keepalive) {
        channel.config().setOption(ChannelOption.SO_KEEPALIVE, keepalive != null);
        if (keepalive == null) {
            return;
        }
        set(channel, ExtendedSocketOptions.TCP_KEEPIDLE, seconds(keepalive.time()), MAX_SECONDS);
        set(channel, ExtendedSocketOptions.TCP_KEEPINTERVAL, seconds(keepalive.interval()), MAX_SECONDS);
        set(channel, ExtendedSocketOptions.TCP_KEEPCOUNT, keepalive.probes(), MAX_PROBES);
    }

    private static int seconds(Duration d) {
        return (int) Math.min(Integer.MAX_VALUE, d.toSeconds());
    }

    /** Sets one option, clamped to what kernels accept; zero keeps the system's default. */
    private static void set(Channel channel, SocketOption<Integer> option, int value, int max) {
        if (value <= 0) {
            return;
        }
        boolean set;
        try {
            set = channel.config().setOption(NioChannelOption.of(option), Math.min(value, max));
        } catch (ChannelException | UnsupportedOperationException e) {
            set = false;
        }
        if (!set && WARNED.compareAndSet(false, true)) {
            log.warn(
                    "TCP keep-alive: this platform's sockets do not take {}; backend connections keep the system's"
                            + " default for it (SO_KEEPALIVE is on)",
                    option.name());
        }
    }
}
