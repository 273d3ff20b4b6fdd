package dev.outpost.proxy.support;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A scriptable origin on 127.0.0.1 port 0: each path answers as its handler says; every request is recorded. */
public final class TestOrigin implements AutoCloseable {

    /** A request as the origin saw it. */
    public record Seen(String method, String uri, Map<String, List<String>> headers, byte[] body, int remotePort) {
        public String header(String name) {
            for (Map.Entry<String, List<String>> e : headers.entrySet()) {
                if (e.getKey().equalsIgnoreCase(name)) {
                    return e.getValue().get(0);
                }
            }
            return null;
        }

        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    @FunctionalInterface
    public interface Handler {
        void handle(HttpExchange ex) throws IOException;
    }

    private final HttpServer server;
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private final Map<String, Handler> handlers = new ConcurrentHashMap<>();
    private final Map<String, Handler> rawHandlers = new ConcurrentHashMap<>();
    private final BlockingQueue<Seen> seen = new LinkedBlockingQueue<>();

    public TestOrigin() throws IOException {
        this("127.0.0.1");
    }

    public TestOrigin(String address) throws IOException {
        server = HttpServer.create(new InetSocketAddress(address, 0), 0);
        server.createContext("/", ex -> {
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
                Handler h = handlers.get(ex.getRequestURI().getPath());
                if (h == null) {
                    respond(ex, 404, "text/plain", "no handler\n");
                } else {
                    h.handle(ex);
                }
            } catch (IOException e) {
                // the proxy went away: nothing to answer
            }
        });
        server.setExecutor(pool);
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public TestOrigin on(String path, Handler h) {
        handlers.put(path, h);
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

    public Seen take() throws InterruptedException {
        Seen s = seen.poll(10, TimeUnit.SECONDS);
        if (s == null) {
            throw new AssertionError("origin saw no request");
        }
        return s;
    }

    /** The request body, already read by the origin. */
    public static byte[] body(HttpExchange ex) {
        return (byte[]) ex.getAttribute("body");
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
        server.stop(0);
        pool.shutdownNow();
    }
}
