package dev.outpost.proxy.session;

import dev.outpost.proxy.route.Target;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.util.ArrayDeque;
import java.util.List;

/**
 * A request the proxy makes on its own behalf (a {@code Grip-Link} next or gone link): sent to the targets in turn,
 * the whole response buffered (up to {@code maxBody}) and handed to a callback on {@code loop}. No GRIP processing
 * here: the caller reads the instructions.
 */
final class LinkRequest implements OriginListener {

    /** The outcome, on the event loop. Exactly one method is called once. */
    interface Callback {
        void response(HttpResponse head, byte[] body);

        void failed(String why);
    }

    private final ProxyContext px;
    private final EventLoop loop;
    private final ArrayDeque<Target> targets;
    private final HttpMethod method;
    private final String uri;
    private final HttpHeaders headers;
    private final int maxBody;
    private final Callback cb;
    private OriginPool.Key key;
    private Channel origin;
    private HttpResponse head;
    private CompositeByteBuf body;
    private boolean skipping;
    private boolean done;
    private String lastError = "no target";

    private LinkRequest(
            ProxyContext px,
            EventLoop loop,
            List<Target> targets,
            HttpMethod method,
            String uri,
            HttpHeaders headers,
            int maxBody,
            Callback cb) {
        this.px = px;
        this.loop = loop;
        this.targets = new ArrayDeque<>(targets);
        this.method = method;
        this.uri = uri;
        this.headers = headers;
        this.maxBody = maxBody;
        this.cb = cb;
    }

    /** Starts the request; call on {@code loop}. Returns a handle that can abandon it. */
    static LinkRequest start(
            ProxyContext px,
            EventLoop loop,
            List<Target> targets,
            HttpMethod method,
            String uri,
            HttpHeaders headers,
            int maxBody,
            Callback cb) {
        LinkRequest r = new LinkRequest(px, loop, targets, method, uri, headers, maxBody, cb);
        r.next();
        return r;
    }

    /** Abandons the request: no callback, the connection is closed. */
    void cancel() {
        if (done) {
            return;
        }
        done = true;
        release();
        Channel ch = origin;
        origin = null;
        if (ch != null) {
            ch.pipeline().get(OriginHandler.class).listener(null);
            ch.close();
        }
    }

    private void next() {
        if (done) {
            return;
        }
        Target t = targets.poll();
        if (t == null) {
            finishFailed(lastError);
            return;
        }
        if (t.kind() == Target.Kind.TEST) {
            TestTarget.Answer a = TestTarget.answer(uri);
            done = true;
            cb.response(a.head(), a.body());
            return;
        }
        String host = t.host();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        String sni = t.hostHeader() != null ? ProxyExchange.hostOf(t.hostHeader()) : host;
        key = new OriginPool.Key(host, t.port(), t.ssl(), sni, t.insecure());
        if (!headers.contains(HttpHeaderNames.HOST)) {
            headers.set(
                    HttpHeaderNames.HOST,
                    host.indexOf(':') >= 0 ? "[" + host + "]:" + t.port() : host + ":" + t.port());
        }
        Future<Channel> f = px.pool().connect(loop, key);
        f.addListener(x -> {
            if (done) {
                if (x.isSuccess()) {
                    f.getNow().close();
                }
                return;
            }
            if (!x.isSuccess()) {
                lastError = "connect: " + x.cause();
                next();
                return;
            }
            Channel ch = f.getNow();
            SslHandler tls = ch.pipeline().get(SslHandler.class);
            if (tls == null) {
                send(ch);
                return;
            }
            tls.handshakeFuture().addListener(h -> {
                if (done) {
                    ch.close();
                } else if (h.isSuccess()) {
                    send(ch);
                } else {
                    ch.close();
                    lastError = "TLS: " + h.cause();
                    next();
                }
            });
        });
    }

    private void send(Channel ch) {
        origin = ch;
        ch.pipeline().get(OriginHandler.class).listener(this);
        FullHttpRequest r = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri, Unpooled.EMPTY_BUFFER);
        r.headers().set(headers);
        if (!HttpMethod.GET.equals(method)) {
            HttpUtil.setContentLength(r, 0);
        }
        ch.writeAndFlush(r).addListener(f -> {
            if (f.isSuccess() && !done && origin == ch) {
                OriginHandler.of(ch).watch(px.limits().originResponseTimeout());
            }
        });
        ch.read();
    }

    @Override
    public void originRead(HttpObject msg) {
        if (done) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg.decoderResult().isFailure()) {
            ReferenceCountUtil.release(msg);
            fail("bad response: " + msg.decoderResult().cause());
            return;
        }
        if (msg instanceof HttpResponse r) {
            if (r.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
                skipping = true;
            } else {
                head = r;
                body = origin.alloc().compositeBuffer();
            }
        }
        if (msg instanceof HttpContent c) {
            if (skipping || body == null) {
                skipping = !(c instanceof LastHttpContent) && skipping;
                c.release();
            } else if (body.readableBytes() + c.content().readableBytes() > maxBody) {
                c.release();
                fail("response body larger than " + maxBody + " bytes");
                return;
            } else {
                body.addComponent(true, c.content().retain());
                boolean last = c instanceof LastHttpContent;
                c.release();
                if (last) {
                    complete();
                    return;
                }
            }
        }
        if (origin != null) {
            origin.read();
        }
    }

    private void complete() {
        Channel ch = origin;
        origin = null;
        ch.pipeline().get(OriginHandler.class).listener(null);
        if (HttpUtil.isKeepAlive(head)) {
            px.pool().release(ch, key);
        } else {
            ch.close();
        }
        byte[] b = ByteBufUtil.getBytes(body);
        release();
        done = true;
        cb.response(head, b);
    }

    @Override
    public void originClosed(Throwable cause) {
        origin = null;
        if (!done) {
            fail("connection closed" + (cause == null ? "" : ": " + cause));
        }
    }

    private void fail(String why) {
        Channel ch = origin;
        origin = null;
        if (ch != null) {
            ch.pipeline().get(OriginHandler.class).listener(null);
            ch.close();
        }
        release();
        if (head == null) {
            // nothing came back from this target: try the next one
            lastError = why;
            next();
        } else {
            finishFailed(why);
        }
    }

    private void finishFailed(String why) {
        if (!done) {
            done = true;
            release();
            cb.failed(why);
        }
    }

    private void release() {
        if (body != null) {
            body.release();
            body = null;
        }
    }
}
