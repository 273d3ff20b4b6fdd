package dev.outpost.origin;

import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Last handler of a pooled HTTP connection: hands responses to whoever uses the connection, or, while the
 * connection idles in the pool, closes it on any unexpected input. Once {@linkplain #watch watched} (the request is
 * sent), a read the exchange asks for must bring something within the response timeout, or the connection closes
 * with an {@link OriginTimeoutException}; time the exchange does not read (its client is slow) does not count.
 */
public final class OriginHandler extends ChannelDuplexHandler {
    private OriginListener listener;
    private Throwable failure;
    /** The pool has already hooked this connection's close. */
    boolean pooledBefore;

    private ChannelHandlerContext ctx;
    /** 0: not watching. */
    private long timeoutNanos;

    private boolean reading;
    private long readingSince;
    private ScheduledFuture<?> timer;
    private long timerAt;

    /** The connection's instance: the last handler (found without a walk), else looked up. */
    public static OriginHandler of(Channel ch) {
        return ch.pipeline().last() instanceof OriginHandler h
                ? h
                : ch.pipeline().get(OriginHandler.class);
    }

    /** A new user of the connection (null: it goes back to the pool); any watch ends. */
    public void listener(OriginListener l) {
        this.listener = l;
        timeoutNanos = 0;
    }

    public OriginListener listener() {
        return listener;
    }

    /**
     * From now on, each read asked for must bring something within {@code timeout} (zero: no limit), the wait for
     * one already asked for starting now. Call on the connection's loop.
     */
    public void watch(Duration timeout) {
        timeoutNanos = timeout.toNanos();
        if (reading) {
            readingSince = System.nanoTime();
            arm();
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void read(ChannelHandlerContext ctx) {
        if (!reading) {
            reading = true;
            readingSince = System.nanoTime();
            arm();
        }
        ctx.read();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        reading = false;
        OriginListener l = listener;
        if (l != null && msg instanceof HttpObject o) {
            l.originRead(o);
        } else {
            ReferenceCountUtil.release(msg);
            ctx.close();
        }
    }

    private void arm() {
        if (timeoutNanos <= 0) {
            return;
        }
        long d = readingSince + timeoutNanos;
        if (timer != null && timerAt - d <= 0) {
            return;
        }
        if (timer != null) {
            timer.cancel(false);
        }
        timerAt = d;
        timer = ctx.executor().schedule(this::check, Math.max(0, d - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    private void check() {
        timer = null;
        if (timeoutNanos <= 0 || !reading || listener == null || !ctx.channel().isActive()) {
            return;
        }
        if (System.nanoTime() - (readingSince + timeoutNanos) >= 0) {
            failure = new OriginTimeoutException(Duration.ofNanos(timeoutNanos));
            ctx.close();
        } else {
            arm();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        failure = cause;
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
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
