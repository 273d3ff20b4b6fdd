package dev.outpost.proxy.pubsub;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;

/**
 * One HTTP/1.1 chunk ({@code <hex length> CRLF <content> CRLF}) built once per published item and shared by every
 * stream that writes the content unchanged. Direct memory: the epoll transport would copy a heap buffer into a direct
 * one for each socket.
 */
public final class StreamChunk {
    private StreamChunk() {}

    /** A new direct buffer holding {@code content} framed as one chunk; {@code content} must not be empty. */
    public static ByteBuf frame(byte[] content) {
        byte[] head = (Integer.toHexString(content.length) + "\r\n").getBytes(StandardCharsets.US_ASCII);
        ByteBuf b = Unpooled.directBuffer(head.length + content.length + 2);
        b.writeBytes(head).writeBytes(content).writeByte('\r').writeByte('\n');
        return b;
    }

    /** Bytes before the content in the chunk of {@code contentLength} bytes. */
    static int headerLength(int contentLength) {
        return (32 - Integer.numberOfLeadingZeros(contentLength) + 3) / 4 + 2;
    }
}
