package dev.outpost.proxy.publish;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;

/**
 * Collects a publish body up to {@code push_in_http_max_body_size}; past it, answers 413 while reading (a body
 * announced too large is refused before it is read) and closes, since the rest of the body is still on the wire.
 */
final class PublishBodyAggregator extends HttpObjectAggregator {

    PublishBodyAggregator(int maxBody) {
        super(maxBody);
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        FullHttpResponse r = PublishApiHandler.text(
                HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "Request body too large.\n", PublishApiHandler.TEXT);
        HttpUtil.setKeepAlive(r, false);
        ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
    }
}
