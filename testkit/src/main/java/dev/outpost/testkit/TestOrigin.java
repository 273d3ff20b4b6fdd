package dev.outpost.testkit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;

/**
 * The test origin of the project's tests: a real HTTP (or HTTPS) server on a free port of 127.0.0.1 (or the given
 * address). Each path answers as its handler says, other paths as the fallback does (404 {@code no handler} unless
 * {@link #otherwise} sets one); every request that is not {@linkplain #onRaw raw} is recorded for {@link #take()}.
 *
 * <pre>{@code
 * try (TestOrigin origin = new TestOrigin()) {
 *     origin.hold("/stream", "stream", "news", "[open]\n");          // a GRIP hold
 *     origin.on("/plain", ex -> TestOrigin.respond(ex, 200, "text/plain", "hi\n"));
 *     // route a proxy to "127.0.0.1:" + origin.port(), send requests, then:
 *     TestOrigin.Seen seen = origin.take();
 * }
 * }</pre>
 *
 * <p>Handlers may block (a slow or never-answering origin): each exchange runs on a thread of its own, and
 * {@link #closed()} tells a blocked handler that the test is over.
 */
public final class TestOrigin implements AutoCloseable {

    /** A request as the origin saw it. */
    public record Seen(String method, String uri, Map<String, List<String>> headers, byte[] body, int remotePort) {
        /** The first value of a header, whatever its case; null when absent. */
        public String header(String name) {
            for (Map.Entry<String, List<String>> e : headers.entrySet()) {
                if (e.getKey().equalsIgnoreCase(name)) {
                    return e.getValue().get(0);
                }
            }
            return null;
        }

        /** The path of {@link #uri()}, without the query. */
        public String path() {
            return URI.create(uri).getRawPath();
        }

        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** Answers one exchange; for recorded requests the body is already read ({@link #body}). */
    @FunctionalInterface
    public interface Handler {
        void handle(HttpExchange ex) throws IOException;
    }

    private static final Handler NOT_FOUND = ex -> respond(ex, 404, "text/plain", "no handler\n");

    private final HttpServer server;
    private final String scheme;
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private final Map<String, Handler> handlers = new ConcurrentHashMap<>();
    private final Map<String, Handler> rawHandlers = new ConcurrentHashMap<>();
    private final BlockingQueue<Seen> seen = new LinkedBlockingQueue<>();
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile Handler fallback = NOT_FOUND;

    /** Plain HTTP on a free port of 127.0.0.1. */
    public TestOrigin() throws IOException {
        this("127.0.0.1");
    }

    /** Plain HTTP on a free port of {@code address} (e.g. {@code ::1}). */
    public TestOrigin(String address) throws IOException {
        this(HttpServer.create(new InetSocketAddress(address, 0), 0), "http");
    }

    private TestOrigin(HttpServer server, String scheme) {
        this.server = server;
        this.scheme = scheme;
        server.createContext("/", this::dispatch);
        server.setExecutor(pool);
        server.start();
    }

    /** HTTPS on a free port of 127.0.0.1 with the certificate of {@code tls}. */
    public static TestOrigin https(SSLContext tls) throws IOException {
        HttpsServer https = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        https.setHttpsConfigurator(new HttpsConfigurator(tls));
        return new TestOrigin(https, "https");
    }

    private void dispatch(HttpExchange ex) {
        try (ex) {
            Handler raw = rawHandlers.get(ex.getRequestURI().getPath());
            if (raw != null) {
                raw.handle(ex);
                return;
            }
            byte[] body = ex.getRequestBody().readAllBytes();
            ex.setAttribute("body", body);
            seen.add(new Seen(
                    ex.getRequestMethod(),
                    ex.getRequestURI().toString(),
                    Map.copyOf(ex.getRequestHeaders()),
                    body,
                    ex.getRemoteAddress().getPort()));
            handlers.getOrDefault(ex.getRequestURI().getPath(), fallback).handle(ex);
        } catch (IOException e) {
            // the client went away: nothing to answer
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** {@code http://127.0.0.1:<port>/} (or {@code https://}); for an IPv6 origin, its bracketed address. */
    public URI uri() {
        String host = server.getAddress().getAddress().getHostAddress();
        return URI.create(scheme + "://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port() + "/");
    }

    /** Answers requests for exactly {@code path} with {@code h}. */
    public TestOrigin on(String path, Handler h) {
        handlers.put(path, h);
        return this;
    }

    /** Answers requests for paths without a handler of their own (default: 404 {@code no handler}). */
    public TestOrigin otherwise(Handler h) {
        fallback = h;
        return this;
    }

    /** Answers {@code path} with a GRIP hold on {@code channel}, plus extra header name/value pairs. */
    public TestOrigin hold(String path, String mode, String channel, String body, String... extraHeaders) {
        return on(path, ex -> {
            ex.getResponseHeaders().add("Grip-Hold", mode);
            ex.getResponseHeaders().add("Grip-Channel", channel);
            for (int i = 0; i + 1 < extraHeaders.length; i += 2) {
                ex.getResponseHeaders().add(extraHeaders[i], extraHeaders[i + 1]);
            }
            respond(ex, 200, "text/plain", body);
        });
    }

    /** A handler that reads the request body itself, as it arrives; such requests are not recorded. */
    public TestOrigin onRaw(String path, Handler h) {
        rawHandlers.put(path, h);
        return this;
    }

    /** The next recorded request; fails after 10 seconds without one. */
    public Seen take() throws InterruptedException {
        Seen s = seen.poll(10, TimeUnit.SECONDS);
        if (s == null) {
            throw new AssertionError("origin saw no request");
        }
        return s;
    }

    /** The next recorded request for {@code path} (without query); requests for other paths are skipped. */
    public Seen take(String path) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            Seen s = seen.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (s == null) {
                throw new AssertionError("origin saw no request for " + path + " within 10 s");
            }
            if (s.path().equals(path)) {
                return s;
            }
        }
    }

    /** True when every recorded request was taken. */
    public boolean idle() {
        return seen.isEmpty();
    }

    /** Counts down when the origin closes: a handler that never answers waits on it, so the test can end. */
    public CountDownLatch closed() {
        return closed;
    }

    /** The request body, already read by the origin. */
    public static byte[] body(HttpExchange ex) {
        return (byte[]) ex.getAttribute("body");
    }

    /** The request body as UTF-8 text, already read by the origin. */
    public static String bodyText(HttpExchange ex) {
        return new String(body(ex), StandardCharsets.UTF_8);
    }

    public static void respond(HttpExchange ex, int code, String contentType, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", contentType);
        ex.sendResponseHeaders(code, b.length == 0 ? -1 : b.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(b);
        }
    }

    @Override
    public void close() {
        closed.countDown();
        server.stop(0);
        pool.shutdownNow();
    }
}
