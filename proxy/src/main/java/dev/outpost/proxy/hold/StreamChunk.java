package dev.outpost.proxy.hold;

import dev.outpost.proxy.pubsub.Delivery;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;

/**
 * One HTTP/1.1 chunk ({@code <hex length> CRLF <content> CRLF}, RFC 9112 §7.1) made once per published item and
 * event loop, and shared by every stream of that loop that writes the content unchanged. Direct memory: the epoll
 * transport would copy a heap buffer into a direct one for each socket.
 */
final class StreamChunk {
    /** A delivery's payload framed as one chunk; none for empty content (an empty chunk would end the body). */
    static final Delivery.Derivation FRAMED = p -> p.isReadable() ? frame(p) : null;

    private StreamChunk() {}

    /** A new direct buffer holding {@code content}'s readable bytes framed as one chunk; the content must not be empty. */
    static ByteBuf frame(ByteBuf content) {
        int length = content.readableBytes();
        byte[] head = (Integer.toHexString(length) + "\r\n").getBytes(StandardCharsets.US_ASCII);
        ByteBuf b = ByteBufAllocator.DEFAULT.directBuffer(head.length + length + 2);
        b.writeBytes(head)
                .writeBytes(content, content.readerIndex(), length)
                .writeByte('\r')
                .writeByte('\n');
        return b;
    }
}
