package dev.outpost.proxy.ws;

import dev.outpost.grip.publish.WsMessageType;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The client end of a WebSocket session as the session writes to it: messages (large ones in fragments, as Pushpin
 * sends them), close frames and the wait for the client's reply, what is still unsent, and whether the client is
 * read from. It decides nothing: the session says when; everything runs on the client's event loop.
 */
final class WsClientSide {
    /** Frames sent to the client carry at most this many bytes; larger messages are fragmented. */
    static final int MAX_OUT_FRAME = 16_384;
    /** How long a close waits for the peer's reply. */
    static final int CLOSE_WAIT_SECONDS = 5;

    private final ChannelHandlerContext ctx;
    private long lastWriteNanos = System.nanoTime();
    private ScheduledFuture<?> closeTimer;

    WsClientSide(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    void write(Msg m) {
        lastWriteNanos = System.nanoTime();
        byte[] d = m.data();
        if (!m.isData() || d.length <= MAX_OUT_FRAME) {
            ctx.writeAndFlush(m.frame());
            return;
        }
        // large messages go out in fragments, as Pushpin does
        for (int off = 0; off < d.length; off += MAX_OUT_FRAME) {
            int n = Math.min(MAX_OUT_FRAME, d.length - off);
            boolean fin = off + n >= d.length;
            ByteBuf b = Unpooled.wrappedBuffer(d, off, n);
            WebSocketFrame f = off == 0
                    ? (m.type() == WsMessageType.TEXT
                            ? new TextWebSocketFrame(fin, 0, b)
                            : new BinaryWebSocketFrame(fin, 0, b))
                    : new ContinuationWebSocketFrame(fin, 0, b);
            ctx.write(f);
        }
        ctx.flush();
    }

    /** When a message was last written (keep-alives in {@code idle} mode count from there). */
    long lastWriteNanos() {
        return lastWriteNanos;
    }

    ChannelFuture writeClose(int code, String reason) {
        return ctx.writeAndFlush(WsHeaders.closeFrame(code, reason));
    }

    /** Runs {@code then} unless the connection ends first, {@value #CLOSE_WAIT_SECONDS} s from now. */
    void awaitCloseReply(Runnable then) {
        closeTimer = ctx.executor().schedule(then, CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
    }

    /** Bytes written to the client and not yet taken by its socket. */
    long unsentBytes() {
        var out = ctx.channel().unsafe().outboundBuffer();
        return out == null ? 0 : out.totalPendingWriteBytes();
    }

    boolean writable() {
        return ctx.channel().isWritable();
    }

    /** Reads from the client (true) or leaves what it sends in the socket (false). */
    void reading(boolean read) {
        var config = ctx.channel().config();
        if (config.isAutoRead() != read) {
            config.setAutoRead(read);
        }
    }

    void cancelTimers() {
        if (closeTimer != null) {
            closeTimer.cancel(false);
        }
    }
}
