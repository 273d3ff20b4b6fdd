package dev.outpost.grip.client;

import dev.outpost.grip.publish.PublishItem;
import dev.outpost.grip.publish.PublishWriter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * Publishes to a GRIP proxy's publish API ({@code POST <base>/publish/}), as Pushpin, Fastly Fanout and Outpost take
 * it. Thread-safe; one instance per endpoint is meant to be shared and {@linkplain #close() closed} at shutdown.
 *
 * <pre>{@code
 * try (GripPublisher publisher = GripPublisher.fromGripUrl(System.getenv("GRIP_URL"))) {
 *     publisher.publishHttpStream("news", "hello\n");
 *     publisher.publish(PublishItem.builder("news").id("2").prevId("1").httpStream("more\n").build());
 *     publisher.publishWsMessageAsync("chat", "hi").join();
 * }
 * }</pre>
 *
 * <p>Every blocking method has a {@code ...Async} twin returning a {@link CompletableFuture}. A publish that does not
 * go through throws (or completes with) a {@link PublishException}: {@link PublishException#status()} and
 * {@link PublishException#body()} carry a refusal, status 0 means the endpoint was not reached. Each publish uses a
 * connection of its own on one small daemon event-loop thread, started on the first publish; the futures complete
 * on that thread, so callbacks attached to them must not block.
 */
public final class GripPublisher implements AutoCloseable {
    /** Connect and read timeout when none is set. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private final GripUrl url;
    private final String authorization;
    private final Map<String, String> headers;
    private final Duration connectTimeout;
    private final Duration readTimeout;
    private EventLoopGroup group;
    private SslContext tls;
    private boolean closed;

    private GripPublisher(Builder b) {
        this.url = b.url;
        this.authorization = b.authorization;
        this.headers = Map.copyOf(b.headers);
        this.connectTimeout = b.connectTimeout;
        this.readTimeout = b.readTimeout;
    }

    /**
     * A publisher for a GRIP URL ({@code GRIP_URL}): {@code http[s]://[user:pass@]host[:port][/path][?iss=ISS&key=KEY]}.
     * With {@code iss} and {@code key} each publish carries a fresh Bearer JWT signed with the key ({@code key} plain
     * or {@code base64:...}); with {@code key} alone the key is sent as a Bearer token; user info means Basic auth.
     *
     * @throws IllegalArgumentException naming what is wrong with the URL (its secrets left out)
     */
    public static GripPublisher fromGripUrl(String gripUrl) {
        return builder(gripUrl).build();
    }

    /** A builder for a GRIP URL, to set timeouts, credentials or headers. */
    public static Builder builder(String gripUrl) {
        return new Builder(GripUrl.parse(gripUrl));
    }

    /** A builder for a parsed GRIP URL. */
    public static Builder builder(GripUrl gripUrl) {
        return new Builder(Objects.requireNonNull(gripUrl, "gripUrl"));
    }

    /** The GRIP URL this publisher sends to. */
    public GripUrl gripUrl() {
        return url;
    }

    /** Appends {@code content} to the streams held on {@code channel}. */
    public void publishHttpStream(String channel, String content) {
        publish(PublishItem.builder(channel).httpStream(content).build());
    }

    /** Completes the long-polls held on {@code channel} with a 200 response carrying {@code body}. */
    public void publishHttpResponse(String channel, String body) {
        publish(PublishItem.builder(channel).httpResponse(body).build());
    }

    /** Sends a text message to the WebSockets subscribed to {@code channel}. */
    public void publishWsMessage(String channel, String text) {
        publish(PublishItem.builder(channel).wsMessage(text).build());
    }

    /** As {@link #publishHttpStream}, without waiting. */
    public CompletableFuture<Void> publishHttpStreamAsync(String channel, String content) {
        return publishAsync(PublishItem.builder(channel).httpStream(content).build());
    }

    /** As {@link #publishHttpResponse}, without waiting. */
    public CompletableFuture<Void> publishHttpResponseAsync(String channel, String body) {
        return publishAsync(PublishItem.builder(channel).httpResponse(body).build());
    }

    /** As {@link #publishWsMessage}, without waiting. */
    public CompletableFuture<Void> publishWsMessageAsync(String channel, String text) {
        return publishAsync(PublishItem.builder(channel).wsMessage(text).build());
    }

    /**
     * Publishes items in one request (build them with {@link PublishItem#builder(String)}).
     *
     * @throws PublishException when the endpoint refuses them or cannot be reached
     */
    public void publish(PublishItem... items) {
        publish(List.of(items));
    }

    /** As {@link #publish(PublishItem...)}. */
    public void publish(List<PublishItem> items) {
        if (onOwnThread()) {
            throw new IllegalStateException("a blocking publish from a callback of this publisher's own futures would"
                    + " wait for itself (expected: publishAsync there)");
        }
        CompletableFuture<Void> f = publishAsync(items);
        try {
            f.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof PublishException p) {
                // a fresh exception so the stack shows the caller, the original as the cause
                throw p.status() == 0
                        ? PublishException.unreachable(p.endpoint(), p.detail(), p)
                        : PublishException.refused(p.endpoint(), p.status(), p.reason(), p.body());
            }
            throw new IllegalStateException("publish failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            f.cancel(false);
            Thread.currentThread().interrupt();
            throw PublishException.unreachable(url.publishUri(), "interrupted", e);
        }
    }

    /** As {@link #publish(PublishItem...)}, without waiting. */
    public CompletableFuture<Void> publishAsync(PublishItem... items) {
        return publishAsync(List.of(items));
    }

    /**
     * Publishes items in one request. The future completes when the endpoint said 200, or exceptionally with a
     * {@link PublishException}.
     */
    public CompletableFuture<Void> publishAsync(List<PublishItem> items) {
        if (items.isEmpty()) {
            throw new IllegalArgumentException("items: none (expected: at least one item)");
        }
        return send(PublishWriter.write(items));
    }

    /**
     * Sends a publish body as it is ({@code {"items": [...]}}, as {@code pushpin-publish} or a test composes it).
     * Completes when the endpoint said 200, or exceptionally with a {@link PublishException}.
     */
    public CompletableFuture<Void> sendAsync(byte[] body) {
        return send(Objects.requireNonNull(body, "body").clone());
    }

    private CompletableFuture<Void> send(byte[] body) {
        Map<String, String> h = new LinkedHashMap<>(headers);
        String auth = authorization != null
                ? authorization
                : url.authorization(Instant.now()).orElse(null);
        if (auth != null) {
            h.put("Authorization", auth);
        }
        CompletableFuture<PublishConnection.Answer> answer;
        try {
            answer = PublishConnection.post(group(), tls(), url, h, body, connectTimeout, readTimeout);
        } catch (PublishException e) {
            return CompletableFuture.failedFuture(e);
        }
        return answer.thenApply(a -> {
            if (a.status() != 200) {
                throw PublishException.refused(url.publishUri(), a.status(), a.reason(), a.body());
            }
            return null;
        });
    }

    private synchronized boolean onOwnThread() {
        return group != null && group.next().inEventLoop();
    }

    private synchronized EventLoopGroup group() {
        if (closed) {
            throw new IllegalStateException("GripPublisher for " + url + " is closed");
        }
        if (group == null) {
            group = new MultiThreadIoEventLoopGroup(
                    1, new DefaultThreadFactory("grip-publisher", true), NioIoHandler.newFactory());
        }
        return group;
    }

    private synchronized SslContext tls() {
        if (!url.scheme().equals("https")) {
            return null;
        }
        if (tls == null) {
            try {
                tls = SslContextBuilder.forClient()
                        .endpointIdentificationAlgorithm("HTTPS")
                        .build();
            } catch (SSLException e) {
                throw PublishException.unreachable(url.publishUri(), "cannot set up TLS: " + e.getMessage(), e);
            }
        }
        return tls;
    }

    /** Waits briefly for publishes in flight, then stops the publisher's thread. Further publishes throw. */
    @Override
    public void close() {
        EventLoopGroup g;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            g = group;
        }
        if (g != null) {
            g.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }

    @Override
    public String toString() {
        return "GripPublisher[" + url + "]";
    }

    /** Options of a {@link GripPublisher}. */
    public static final class Builder {
        private final GripUrl url;
        private String authorization;
        private final Map<String, String> headers = new LinkedHashMap<>();
        private Duration connectTimeout = DEFAULT_TIMEOUT;
        private Duration readTimeout = DEFAULT_TIMEOUT;

        private Builder(GripUrl url) {
            this.url = url;
        }

        /** Basic auth with {@code user:password}, instead of what the GRIP URL says. */
        public Builder basicAuth(String userColonPassword) {
            Objects.requireNonNull(userColonPassword, "userColonPassword");
            this.authorization =
                    "Basic " + Base64.getEncoder().encodeToString(userColonPassword.getBytes(StandardCharsets.UTF_8));
            return this;
        }

        /** A Bearer token, instead of what the GRIP URL says. */
        public Builder bearer(String token) {
            if (token == null || token.isBlank()) {
                throw new IllegalArgumentException("bearer token: empty (expected: a token)");
            }
            this.authorization = "Bearer " + token.strip();
            return this;
        }

        /** A request header sent with every publish (e.g. {@code User-Agent}). */
        public Builder header(String name, String value) {
            headers.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** Connect timeout and read timeout at once. */
        public Builder timeout(Duration timeout) {
            return connectTimeout(timeout).readTimeout(timeout);
        }

        /** How long connecting may take (default 10 s). */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positive(timeout, "connectTimeout");
            return this;
        }

        /** How long the endpoint may take to answer (default 10 s). */
        public Builder readTimeout(Duration timeout) {
            this.readTimeout = positive(timeout, "readTimeout");
            return this;
        }

        private static Duration positive(Duration d, String name) {
            Objects.requireNonNull(d, name);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + ": " + d + " (expected: > 0)");
            }
            return d;
        }

        /** The publisher; it starts its thread on the first publish. */
        public GripPublisher build() {
            return new GripPublisher(this);
        }
    }
}
