package dev.outpost.proxy.session;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;

/**
 * Last handler of an origin connection: hands responses to the exchange using the connection, or, while the
 * connection idles in the pool, closes it on any unexpected input.
 */
final class OriginHandler extends ChannelInboundHandlerAdapter {
    private OriginListener listener;
    private Throwable failure;
    /** The pool has already hooked this connection's close. */
    boolean pooledBefore;

    /** The connection's instance: the last handler (found without a walk), else looked up. */
    static OriginHandler of(Channel ch) {
        return ch.pipeline().last() instanceof OriginHandler h
                ? h
                : ch.pipeline().get(OriginHandler.class);
    }

    void listener(OriginListener l) {
        this.listener = l;
    }

    OriginListener listener() {
        return listener;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        OriginListener l = listener;
        if (l != null && msg instanceof HttpObject o) {
            l.originRead(o);
        } else {
            ReferenceCountUtil.release(msg);
            ctx.close();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        failure = cause;
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        OriginListener l = listener;
        listener = null;
        if (l != null) {
            l.originClosed(failure);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent && listener == null) {
            ctx.close();
        }
        ReferenceCountUtil.release(evt);
    }
}
