package dev.outpost.proxy.server;

import dev.outpost.proxy.pubsub.Drops;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Enforces {@code client_maxconn}: a connection past the limit is closed as soon as it is accepted. */
@ChannelHandler.Sharable
public final class ConnectionLimiter extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(ConnectionLimiter.class);

    private final int max;
    private final AtomicInteger open = new AtomicInteger();
    private final ChannelGroup clients = new DefaultChannelGroup("clients", GlobalEventExecutor.INSTANCE);

    private final Drops drops;

    public ConnectionLimiter(int max, Drops drops) {
        this.max = max;
        this.drops = drops;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (open.incrementAndGet() > max) {
            drops.drop(
                    "client_maxconn",
                    "-",
                    ctx.channel().id().asShortText() + " " + ctx.channel().remoteAddress(),
                    "connection refused: client_maxconn " + max + " reached");
            ctx.close();
            return;
        }
        clients.add(ctx.channel());
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        open.decrementAndGet();
        ctx.fireChannelInactive();
    }

    /** The limit in force. */
    public int max() {
        return max;
    }

    /** The accepted client connections still open. */
    public ChannelGroup clients() {
        return clients;
    }

    public int openConnections() {
        return open.get();
    }
}
