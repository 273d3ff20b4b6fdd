package dev.outpost.edge.server;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The GRIP proxy's rule for slow clients (its {@code ClientTimeouts}), on the edge's port: a new connection's first
 * request head must be complete within {@link #HEADER}, the next head within {@link #KEEP_ALIVE} of the previous
 * response's end, and a request body must not pause longer than {@link #BODY} while it is read; while a response is
 * produced nothing is timed, and a {@code 101} ends the watch. The connection is closed without a response, as nginx
 * does. Pipeline position: right after the HTTP server codec.
 */
final class ClientTimeouts extends ChannelDuplexHandler {
    private static final Logger log = LoggerFactory.getLogger(EdgeServer.class);

    /** nginx's defaults ({@code client_header_timeout}, {@code client_body_timeout}), and its keep-alive one capped. */
    static final Duration HEADER = Duration.ofSeconds(60);

    static final Duration KEEP_ALIVE = Duration.ofSeconds(60);
    static final Duration BODY = Duration.ofSeconds(60);

    /** All three at once; tests lower it so that a timeout does not take a minute. */
    static volatile Duration testOverride;

    private final long headerNanos;
    private final long keepAliveNanos;
    private final long bodyNanos;

    private ChannelHandlerContext ctx;
    private int requests;
    private int responses;
    private boolean bodyOpen;
    private boolean readWanted;
    private long readWantedSince;
    private long idleSince;
    private boolean off;
    private ScheduledFuture<?> timer;
    private long timerAt;

    ClientTimeouts() {
        Duration o = testOverride;
        this.headerNanos = (o != null ? o : HEADER).toNanos();
        this.keepAliveNanos = (o != null ? o : KEEP_ALIVE).toNanos();
        this.bodyNanos = (o != null ? o : BODY).toNanos();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        idleSince = System.nanoTime();
        if (ctx.channel().isActive()) {
            arm();
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        stop();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        idleSince = System.nanoTime();
        arm();
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        stop();
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!off) {
            readWanted = false;
            if (msg instanceof HttpRequest) {
                requests++;
                bodyOpen = true;
            }
            if (msg instanceof LastHttpContent) {
                bodyOpen = false;
                if (responses >= requests) {
                    idleSince = System.nanoTime();
                    arm();
                }
            }
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void read(ChannelHandlerContext ctx) {
        if (!off && !readWanted) {
            readWanted = true;
            readWantedSince = System.nanoTime();
            if (bodyOpen) {
                arm();
            }
        }
        ctx.read();
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!off) {
            boolean informational = false;
            if (msg instanceof HttpResponse r) {
                if (r.status().code() == 101) {
                    off = true;
                    stop();
                    ctx.executor().execute(() -> {
                        if (ctx.pipeline().context(this) != null) {
                            ctx.pipeline().remove(this);
                        }
                    });
                } else {
                    informational = r.status().codeClass() == HttpStatusClass.INFORMATIONAL;
                }
            }
            if (!off && !informational && msg instanceof LastHttpContent) {
                responses++;
                if (responses >= requests && !bodyOpen) {
                    idleSince = System.nanoTime();
                    arm();
                }
            }
        }
        ctx.write(msg, promise);
    }

    /** The deadline now in force (nanoTime), or {@link Long#MAX_VALUE} for none; {@code what} gets its name. */
    private long deadline(String[] what) {
        long t;
        long since;
        if (off) {
            return Long.MAX_VALUE;
        } else if (!bodyOpen && responses >= requests) {
            what[0] = requests == 0 ? "no complete request head" : "idle after a response";
            t = requests == 0 ? headerNanos : keepAliveNanos;
            since = idleSince;
        } else if (bodyOpen && readWanted) {
            what[0] = "request body paused";
            t = bodyNanos;
            since = readWantedSince;
        } else {
            return Long.MAX_VALUE;
        }
        return t <= 0 ? Long.MAX_VALUE : since + t;
    }

    private void arm() {
        long d = deadline(new String[1]);
        if (d == Long.MAX_VALUE || (timer != null && timerAt - d <= 0)) {
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
        String[] what = new String[1];
        long d = deadline(what);
        if (d == Long.MAX_VALUE || !ctx.channel().isActive()) {
            return;
        }
        if (System.nanoTime() - d >= 0) {
            off = true;
            log.debug("client connection {}: {}, closed", ctx.channel().remoteAddress(), what[0]);
            ctx.close();
        } else {
            arm();
        }
    }

    private void stop() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
