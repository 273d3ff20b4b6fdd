package dev.outpost.proxy.session;

import dev.outpost.proxy.hold.StreamHold;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * A stream hold whose initial body is larger than the accept buffer: as Pushpin does, the head goes out now, the rest
 * of the origin's body is relayed as it comes (as fast as the client takes it), and the stream joins its channels
 * when the body ends.
 */
final class StreamThrough {
    private final ChannelHandlerContext ctx;
    private final OriginCall call;
    private final StreamHold hold;
    private boolean relaying = true;
    private boolean waitingWritable;

    StreamThrough(ChannelHandlerContext ctx, OriginCall call, StreamHold hold) {
        this.ctx = ctx;
        this.call = call;
        this.hold = hold;
    }

    /** Sends the head and relays {@code first}; false (nothing relayed, the origin dropped) when the hold is over. */
    boolean start(HttpContent first) {
        if (!hold.writeHead()) {
            relaying = false;
            first.release();
            call.drop();
            return false;
        }
        relay(first);
        return true;
    }

    /** Whether the origin's body is still being relayed. */
    boolean relaying() {
        return relaying;
    }

    /** Relays {@code c}; after the last part the stream subscribes. */
    void relay(HttpContent c) {
        boolean last = c instanceof LastHttpContent;
        ByteBuf b = c.content().retain();
        c.release();
        if (last) {
            call.complete();
            relaying = false;
        }
        boolean empty = !b.isReadable();
        if (empty) {
            b.release();
        } else {
            hold.writeInitial(b).addListener(f -> {
                if (f.isSuccess() && call.attached() && relaying) {
                    if (ctx.channel().isWritable()) {
                        call.read();
                    } else {
                        waitingWritable = true;
                    }
                }
            });
        }
        if (last) {
            hold.subscribe();
        } else if (empty) {
            call.read();
        }
    }

    /** The client can take more: true when the relay was waiting for that and reads on. */
    boolean resume() {
        if (!waitingWritable || !call.attached()) {
            return false;
        }
        waitingWritable = false;
        call.read();
        return true;
    }

    /** The origin broke off inside the body: the stream can't be completed. */
    void cut() {
        relaying = false;
        hold.cut();
    }
}
