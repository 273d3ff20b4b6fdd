package dev.outpost.origin;

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
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.time.Duration;
import java.util.List;

/**
 * Requests made on one's own behalf (a GRIP next or gone link, say): sent to the endpoints in turn until one
 * answers, the whole response buffered (up to a limit) and handed to a callback on the caller's loop. The
 * connection is a fresh one from the {@link OriginPool}, given back to it when the response allows keep-alive.
 */
public final class OriginClient {

    /** What to send: a bodiless request. {@code responseTimeout} zero waits for ever. */
    public record Request(HttpMethod method, String uri, HttpHeaders headers, int maxBody, Duration responseTimeout) {}

    /** The outcome, on the event loop. Exactly one method is called, once, unless the call is cancelled. */
    public interface Callback {
        /** A final (non-1xx) response and its whole body. */
        void response(HttpResponse head, byte[] body);

        /** No endpoint answered, or the answer broke off; {@code why} is the last error. */
        void failed(String why);
    }

    private final OriginPool pool;

    /** Connections come from, and go back to, {@code pool}. */
    public OriginClient(OriginPool pool) {
        this.pool = pool;
    }

    /** Starts {@code request} on {@code loop}; call on that loop. The handle cancels it. */
    public Call start(EventLoop loop, List<Endpoint> endpoints, Request request, Callback cb) {
        Call c = new Call(loop, new Failover<>(endpoints, Endpoint::address), request, cb);
        c.next();
        return c;
    }

    /** One request in flight. */
    public final class Call implements OriginListener {
        private final EventLoop loop;
        private final Failover<Endpoint> targets;
        private final Request request;
        private final Callback cb;
        private Endpoint endpoint;
        private Channel origin;
        private HttpResponse head;
        private CompositeByteBuf body;
        private boolean skipping;
        private boolean done;
        private String lastError = "no target";

        private Call(EventLoop loop, Failover<Endpoint> targets, Request request, Callback cb) {
            this.loop = loop;
            this.targets = targets;
            this.request = request;
            this.cb = cb;
        }

        /** Abandons the request: no callback, the connection is closed. */
        public void cancel() {
            if (done) {
                return;
            }
            done = true;
            release();
            Channel ch = origin;
            origin = null;
            if (ch != null) {
                OriginHandler.of(ch).listener(null);
                ch.close();
            }
        }

        private void next() {
            if (done) {
                return;
            }
            Endpoint e = targets.next();
            if (e == null) {
                finishFailed(lastError);
                return;
            }
            endpoint = e;
            if (!request.headers().contains(HttpHeaderNames.HOST)) {
                request.headers().set(HttpHeaderNames.HOST, e.address());
            }
            Future<Channel> f = pool.connect(loop, e);
            f.addListener(x -> {
                if (done) {
                    if (x.isSuccess()) {
                        f.getNow().close();
                    }
                    return;
                }
                if (x.isSuccess()) {
                    send(f.getNow());
                } else {
                    lastError = "connect: " + x.cause();
                    next();
                }
            });
        }

        private void send(Channel ch) {
            origin = ch;
            OriginHandler.of(ch).listener(this);
            FullHttpRequest r = new DefaultFullHttpRequest(
                    HttpVersion.HTTP_1_1, request.method(), request.uri(), Unpooled.EMPTY_BUFFER);
            r.headers().set(request.headers());
            if (!HttpMethod.GET.equals(request.method())) {
                HttpUtil.setContentLength(r, 0);
            }
            ch.writeAndFlush(r).addListener(f -> {
                if (f.isSuccess() && !done && origin == ch) {
                    OriginHandler.of(ch).watch(request.responseTimeout());
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
                } else if (body.readableBytes() + c.content().readableBytes() > request.maxBody()) {
                    c.release();
                    fail("response body larger than " + request.maxBody() + " bytes");
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
            OriginHandler h = OriginHandler.of(ch);
            h.listener(null);
            if (HttpUtil.isKeepAlive(head)) {
                pool.release(ch, h, endpoint);
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
                OriginHandler.of(ch).listener(null);
                ch.close();
            }
            release();
            if (head == null) {
                // nothing came back from this endpoint: try the next one
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
}
