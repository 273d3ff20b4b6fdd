package dev.outpost.proxy.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.ByteArrayOutputStream;
import java.util.ArrayDeque;

/**
 * The client's request body on its way to the origin: the parts that wait for a connection or for the previous
 * write (owned here), whether the client is still sending, and a copy of what was sent (up to
 * {@value #MAX_COPY} bytes) so that the request can be sent again for a {@code Grip-Last} retry.
 */
final class RequestBody {
    /** Past this much body a GRIP answer is refused and no retry is possible (Pushpin's MAX_ACCEPT_REQUEST_BODY). */
    static final int MAX_COPY = 100_000;

    // small first capacities: these live as long as a held connection and usually hold 0-2 items
    private final ArrayDeque<HttpContent> pending = new ArrayDeque<>(2);
    private final ByteArrayOutputStream copy = new ByteArrayOutputStream(0);
    private boolean open = true;
    /** The rest of the body is not wanted (test target, the origin already answered, the exchange is over). */
    private boolean discard;

    private boolean writing;
    private int partsSent;
    private long bytes;

    /** Whether the client is still sending the body. */
    boolean open() {
        return open;
    }

    /** Whether another part can be taken now: the last one went out, or parts are thrown away. */
    boolean accepts() {
        if (!open) {
            return false;
        }
        return discard || (pending.isEmpty() && !writing);
    }

    /** Nothing waits and no write is under way: a part can go straight to the origin. */
    boolean idle() {
        return pending.isEmpty() && !writing;
    }

    /** Whether the body went out whole and nothing is on its way. */
    boolean sent() {
        return !open && idle();
    }

    /** Bytes the client sent so far. */
    long bytes() {
        return bytes;
    }

    /** Body parts with bytes written to the origin since the request (or its retry) began. */
    int partsSent() {
        return partsSent;
    }

    /** Whether the copy is too large to send the request again. */
    boolean tooLargeToResend() {
        return copy.size() > MAX_COPY;
    }

    /** A part from the client: counted, then false (and released) when it is not wanted. */
    boolean take(HttpContent c) {
        if (c instanceof LastHttpContent) {
            open = false;
        }
        bytes += c.content().readableBytes();
        if (discard) {
            c.release();
            return false;
        }
        return true;
    }

    void queue(HttpContent c) {
        pending.add(c);
    }

    /** The next part waiting, or null. */
    HttpContent poll() {
        return pending.poll();
    }

    /** {@code c} is being written to the origin: counted and copied for a retry. */
    void sending(HttpContent c) {
        ByteBuf b = c.content();
        if (!b.isReadable()) {
            return;
        }
        partsSent++;
        if (copy.size() <= MAX_COPY) {
            byte[] bytes = new byte[b.readableBytes()];
            b.getBytes(b.readerIndex(), bytes);
            copy.writeBytes(bytes);
        }
    }

    void writing(boolean w) {
        writing = w;
    }

    /** The rest of the body is not wanted: what waits is released, what comes is released on arrival. */
    void discard() {
        discard = true;
        release();
    }

    /**
     * For a retry: the copy becomes the one part waiting (as the last), parts are wanted again. Returns its length.
     */
    int replay() {
        byte[] b = copy.toByteArray();
        copy.reset();
        discard = false;
        partsSent = 0;
        pending.add(
                b.length == 0
                        ? LastHttpContent.EMPTY_LAST_CONTENT
                        : new DefaultLastHttpContent(Unpooled.wrappedBuffer(b)));
        return b.length;
    }

    /** Releases what waits. */
    void release() {
        HttpContent p;
        while ((p = pending.poll()) != null) {
            p.release();
        }
    }
}
