package dev.outpost.proxy.publish;

import dev.outpost.grip.publish.PublishFormatException;
import dev.outpost.grip.publish.PublishItem;
import dev.outpost.grip.publish.PublishParser;
import dev.outpost.proxy.observe.ProxyObserver;
import dev.outpost.proxy.pubsub.ChannelHub;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The publish API ({@code push_in_http_port}): {@code POST /publish} with {@code {"items": [...]}}.
 *
 * <p>Pipeline position: last, after {@code HttpServerCodec}, {@code HttpServerKeepAliveHandler} and
 * {@link PublishBodyAggregator}. Status lines and texts follow Pushpin's handler ({@code handlerengine.cpp},
 * {@code controlHttpServer_requestReady}); unlike Pushpin the connection stays open after each answer.
 */
final class PublishApiHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger log = LoggerFactory.getLogger(PublishApiHandler.class);
    static final String TEXT = "text/plain";
    static final String JSON = "application/json";

    private final ChannelHub hub;
    private final PublishAuth auth;
    private final ProxyObserver observer;

    PublishApiHandler(ChannelHub hub, PublishAuth auth, ProxyObserver observer) {
        this.hub = hub;
        this.auth = auth;
        this.observer = observer;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        if (req.decoderResult().isFailure()) {
            FullHttpResponse r = text(HttpResponseStatus.BAD_REQUEST, "Bad Request.\n", TEXT);
            HttpUtil.setKeepAlive(r, false);
            ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        String refused = BrowserGuard.refusal(req.headers());
        if (refused != null) {
            log.debug("publish connection {}: {}", ctx.channel().remoteAddress(), refused);
            send(ctx, req, text(HttpResponseStatus.FORBIDDEN, refused + "\n", TEXT));
            return;
        }
        String unauthorized = auth == null ? null : auth.refusal(req.headers(), Instant.now());
        if (unauthorized != null) {
            log.debug("publish connection {}: {}", ctx.channel().remoteAddress(), unauthorized);
            FullHttpResponse r = text(HttpResponseStatus.UNAUTHORIZED, unauthorized + "\n", TEXT);
            r.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, auth.challenge());
            send(ctx, req, r);
            return;
        }
        String type = negotiate(req.headers().getAll(HttpHeaderNames.ACCEPT));
        if (type == null) {
            send(
                    ctx,
                    req,
                    text(
                            HttpResponseStatus.NOT_ACCEPTABLE,
                            "Not Acceptable. Supported formats are text/plain and application/json.\n",
                            TEXT));
            return;
        }
        String path = req.uri();
        if (path.length() > 1 && path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        switch (path) {
            case "/" -> send(ctx, req, text(HttpResponseStatus.OK, "Pushpin API\n", TEXT));
            case "/publish" -> {
                if (!HttpMethod.POST.equals(req.method())) {
                    send(ctx, req, methodNotAllowed(req.method()));
                    return;
                }
                byte[] body = ByteBufUtil.getBytes(req.content());
                List<PublishItem> items;
                try {
                    items = PublishParser.parse(body);
                } catch (PublishFormatException e) {
                    send(ctx, req, text(HttpResponseStatus.BAD_REQUEST, e.getMessage() + "\n", TEXT));
                    return;
                }
                log.debug("publish: {} item(s)", items.size());
                items.forEach(observer::publishReceived);
                // answered once the hub has accepted the items (the local hub: ordered and queued to each
                // subscriber, before it returns), so that whatever the publisher does next sees them already
                // published; delivery itself is still asynchronous. A hub that cannot take them fails the stage.
                hub.publish(items).whenComplete((ok, failure) -> {
                    if (failure == null) {
                        send(ctx, req, message(type, "Published"));
                    } else {
                        log.warn("publish: {} item(s) not accepted: {}", items.size(), failure.toString());
                        send(ctx, req, unavailable(failure));
                    }
                });
            }
            case "/recover" -> {
                if (!HttpMethod.POST.equals(req.method())) {
                    send(ctx, req, methodNotAllowed(req.method()));
                    return;
                }
                send(ctx, req, message(type, "Updated"));
                log.info("recover: last IDs cleared, sessions updated");
                hub.recover();
            }
            default -> send(ctx, req, text(HttpResponseStatus.NOT_FOUND, "Not Found\n", TEXT));
        }
    }

    /**
     * Pushpin's rule: the last listed media type it knows wins, parameters and q-values ignored; no
     * {@code Accept} means text. Returns null when none is acceptable.
     */
    static String negotiate(List<String> acceptHeaders) {
        if (acceptHeaders.isEmpty()) {
            return TEXT;
        }
        String out = null;
        for (String header : acceptHeaders) {
            for (String part : header.split(",")) {
                int semi = part.indexOf(';');
                String t = (semi >= 0 ? part.substring(0, semi) : part).trim();
                switch (t) {
                    case "text/plain", "text/*", "*/*", "*" -> out = TEXT;
                    case "application/json", "application/*" -> out = JSON;
                    default -> {}
                }
            }
        }
        return out;
    }

    private static FullHttpResponse message(String type, String message) {
        if (JSON.equals(type)) {
            return text(HttpResponseStatus.OK, "{\"message\":\"" + message + "\"}\n", JSON);
        }
        return text(HttpResponseStatus.OK, message + "\n", TEXT);
    }

    /** The hub could not take the items (a bus that is unreachable): they were not published. */
    private static FullHttpResponse unavailable(Throwable failure) {
        Throwable cause =
                failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        return text(
                HttpResponseStatus.SERVICE_UNAVAILABLE,
                "Service Unavailable: not published: " + cause.getMessage() + "\n",
                TEXT);
    }

    private static FullHttpResponse methodNotAllowed(HttpMethod method) {
        FullHttpResponse r =
                text(HttpResponseStatus.METHOD_NOT_ALLOWED, "Method not allowed: " + method.name() + ".\n", TEXT);
        r.headers().set(HttpHeaderNames.ALLOW, "POST");
        return r;
    }

    static FullHttpResponse text(HttpResponseStatus status, String body, String contentType) {
        FullHttpResponse r = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, status, Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        HttpUtil.setContentLength(r, r.content().readableBytes());
        return r;
    }

    private static void send(ChannelHandlerContext ctx, FullHttpRequest req, FullHttpResponse r) {
        ctx.writeAndFlush(r);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("publish connection error", cause);
        ctx.close();
    }
}
