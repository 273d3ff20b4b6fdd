package dev.outpost.origin;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Closes an HTTP/1.1 server connection whose peer is too slow to send, as nginx's {@code client_header_timeout},
 * {@code keepalive_timeout} and {@code client_body_timeout} do: a new connection's first request head must be complete
 * within the header timeout, the next head within the keep-alive timeout of the previous exchange's end, and a request
 * body must not pause longer than the body timeout while the server is reading it. While a response is being produced
 * (a held long-poll or stream included) and while the server does not read (backpressure), nothing is timed; a
 * {@code 101} response ends the watch. The connection is closed without a response, as nginx does.
 *
 * <p>Server side, unlike the rest of this module: it is here because the GRIP proxy's listeners and the local Compute
 * server's are the two users, and this is the one module below both (docs/adr/0004).
 *
 * <p>Pipeline position: right after the HTTP server codec. Timers are cheap: one scheduled check at a time, moved
 * only when a deadline comes earlier than the one already set.
 */
public final class ClientTimeouts extends ChannelDuplexHandler {

    /** Which limit closed a connection: its configuration key. */
    public enum Kind {
        HEADER("client_header_timeout"),
        KEEP_ALIVE("client_keepalive_timeout"),
        BODY("client_body_timeout");

        private final String key;

        Kind(String key) {
            this.key = key;
        }

        public String key() {
            return key;
        }
    }

    /** Told when a timeout closes a connection, on its event loop. */
    public interface Listener {
        void timedOut(ChannelHandlerContext ctx, Kind kind, Duration after);
    }

    private final long headerNanos;
    private final long keepAliveNanos;
    private final long bodyNanos;
    private final Listener listener;

    private ChannelHandlerContext ctx;
    private int requests;
    private int responses;
    private boolean bodyOpen;
    private boolean readWanted;
    private long readWantedSince;
    /** When the connection last had nothing in progress: its start, or the end of its last exchange. */
    private long idleSince;

    private boolean off;
    private ScheduledFuture<?> timer;
    private long timerAt;

    /** Zero durations turn that timeout off. */
    public ClientTimeouts(Duration header, Duration keepAlive, Duration body, Listener listener) {
        this.headerNanos = header.toNanos();
        this.keepAliveNanos = keepAlive.toNanos();
        this.bodyNanos = body.toNanos();
        this.listener = listener;
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
            // the read asked for has come; a new one starts its own wait
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
                if (r.status().code() == HttpResponseStatus.SWITCHING_PROTOCOLS.code()) {
                    // the connection is no longer HTTP (a WebSocket): its own rules apply from here
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

    private static final long NONE = Long.MAX_VALUE;

    /** The kind of the deadline now in force, or null for none. */
    private Kind kind() {
        if (off) {
            return null;
        }
        if (!bodyOpen && responses >= requests) {
            return requests == 0 ? Kind.HEADER : Kind.KEEP_ALIVE;
        }
        if (bodyOpen && readWanted) {
            return Kind.BODY;
        }
        return null;
    }

    private long timeout(Kind k) {
        return switch (k) {
            case HEADER -> headerNanos;
            case KEEP_ALIVE -> keepAliveNanos;
            case BODY -> bodyNanos;
        };
    }

    private long deadline(Kind k) {
        if (k == null || timeout(k) <= 0) {
            return NONE;
        }
        return (k == Kind.BODY ? readWantedSince : idleSince) + timeout(k);
    }

    /** Makes sure a check runs no later than the deadline now in force. */
    private void arm() {
        long d = deadline(kind());
        if (d == NONE || (timer != null && timerAt - d <= 0)) {
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
        if (!ctx.channel().isActive()) {
            return;
        }
        Kind k = kind();
        long d = deadline(k);
        if (d == NONE) {
            return;
        }
        if (System.nanoTime() - d >= 0) {
            off = true;
            listener.timedOut(ctx, k, Duration.ofNanos(timeout(k)));
            ctx.close();
            return;
        }
        arm();
    }

    private void stop() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    /** For tests and logs: the deadline kind in force now. */
    String state() {
        Kind k = kind();
        return k == null ? "none" : k.key();
    }
}
