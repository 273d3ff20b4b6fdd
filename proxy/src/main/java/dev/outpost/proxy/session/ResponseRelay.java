package dev.outpost.proxy.session;

import dev.outpost.proxy.hold.HeldResponse;
import dev.outpost.proxy.hold.HoldHandoff;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * A plain (non-GRIP) origin response on its way to the client as it streams: the origin's head cleaned for the
 * client (no copy of its headers) and written with the first body part, so that a whole small response goes out as
 * one message and one buffer; chunked when the origin gave no length and the client speaks HTTP/1.1, else the end of
 * the connection ends the body. The caller reads more from the origin as the client's socket takes it. Also writes
 * the full responses the proxy makes itself ({@link #full}).
 */
final class ResponseRelay {
    private final ChannelHandlerContext ctx;
    private final int code;
    private final boolean keepAlive;
    /** The head, held until the first body part. */
    private HttpResponse head;

    private long bytes;
    private boolean waitingWritable;

    /** A relay of {@code r} (the origin's head, changed in place) to the client of {@code client}. */
    ResponseRelay(ChannelHandlerContext ctx, HoldHandoff.Client client, HttpResponse r) {
        this.ctx = ctx;
        this.code = r.status().code();
        r.setProtocolVersion(client.version());
        Headers.cleanResponse(r.headers());
        boolean bodyless = client.headRequest() || code == 204 || code == 304;
        boolean ka = client.keepAlive();
        if (!bodyless && !r.headers().contains(HttpHeaderNames.CONTENT_LENGTH)) {
            if (client.version().isKeepAliveDefault()) {
                HttpUtil.setTransferEncodingChunked(r, true);
            } else {
                ka = false;
            }
        }
        HttpUtil.setKeepAlive(r, ka);
        this.keepAlive = ka;
        this.head = r;
    }

    /** The response's status code. */
    int code() {
        return code;
    }

    /** Whether the client connection may carry another request after this response. */
    boolean keepAlive() {
        return keepAlive;
    }

    /** Counts {@code c}'s bytes; returns the body bytes so far. */
    long count(HttpContent c) {
        bytes += c.content().readableBytes();
        return bytes;
    }

    /** Writes {@code c} (and the head before the first part); the future of the write. */
    ChannelFuture write(HttpContent c) {
        HttpResponse h = head;
        Object msg = c;
        if (h != null) {
            head = null;
            if (c instanceof LastHttpContent last) {
                msg = new DefaultFullHttpResponse(
                        h.protocolVersion(), h.status(), c.content(), h.headers(), last.trailingHeaders());
            } else {
                ctx.write(h);
            }
        }
        return ctx.writeAndFlush(msg);
    }

    /** The client can't take more now: the caller waits for {@link #resume}. */
    void waitWritable() {
        waitingWritable = true;
    }

    /** The client can take more: true when the relay was waiting for that (the caller then reads on). */
    boolean resume() {
        if (!waitingWritable) {
            return false;
        }
        waitingWritable = false;
        return true;
    }

    /** Pushpin's error form: text/plain, the message and a newline. */
    static HeldResponse text(int code, String reason, String message) {
        return new HeldResponse(
                code,
                reason,
                List.of(Map.entry("Content-Type", "text/plain")),
                (message + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /** Writes {@code r} as one full response to the client of {@code client} (Content-Length set, no body for HEAD). */
    static ChannelFuture full(ChannelHandlerContext ctx, HoldHandoff.Client client, HeldResponse r) {
        FullHttpResponse out = new DefaultFullHttpResponse(
                client.version(),
                new HttpResponseStatus(r.code(), r.reason()),
                client.headRequest() ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(r.body()));
        for (Map.Entry<String, String> h : r.headers()) {
            out.headers().add(h.getKey(), h.getValue());
        }
        out.headers().remove(HttpHeaderNames.TRANSFER_ENCODING);
        HttpUtil.setContentLength(out, r.body().length);
        HttpUtil.setKeepAlive(out, client.keepAlive());
        return ctx.writeAndFlush(out);
    }
}
