package dev.outpost.edge.server;

import com.sun.net.httpserver.HttpExchange;
import dev.outpost.testkit.TestOrigin;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * The edge tests' origin, served by the project's {@link TestOrigin}: answers every request with its method, path and
 * body, and records what it received; {@code /stall} never answers while the test runs (for backend timeouts).
 */
final class EchoOrigin implements AutoCloseable {
    /** What the origin saw. */
    record Received(String method, String path, String host, String fromEdge, String body) {}

    private final TestOrigin origin;
    private final LinkedBlockingQueue<Received> received = new LinkedBlockingQueue<>();

    EchoOrigin() throws IOException {
        this(false);
    }

    /** With {@code tls}, serves HTTPS with the test certificate in {@code certs/origin.p12} (127.0.0.1, localhost). */
    EchoOrigin(boolean tls) throws IOException {
        origin = (tls ? TestOrigin.https(sslContext()) : new TestOrigin()).otherwise(this::handle);
    }

    private void handle(HttpExchange exchange) throws IOException {
        if (exchange.getRequestURI().getPath().equals("/stall")) {
            try {
                origin.closed().await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return;
        }
        String body = TestOrigin.bodyText(exchange);
        String path = exchange.getRequestURI().getRawPath()
                + (exchange.getRequestURI().getRawQuery() != null
                        ? "?" + exchange.getRequestURI().getRawQuery()
                        : "");
        received.add(new Received(
                exchange.getRequestMethod(),
                path,
                exchange.getRequestHeaders().getFirst("Host"),
                exchange.getRequestHeaders().getFirst("x-from-edge"),
                body));
        byte[] out = (exchange.getRequestMethod() + " " + path + (body.isEmpty() ? "" : " " + body))
                .getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("x-origin", "test-origin");
        exchange.sendResponseHeaders(200, out.length);
        exchange.getResponseBody().write(out);
    }

    private static SSLContext sslContext() throws IOException {
        try (InputStream in = EchoOrigin.class.getResourceAsStream("/certs/origin.p12")) {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(in, "changeit".toCharArray());
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, "changeit".toCharArray());
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), null, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IOException("test TLS context: " + e.getMessage(), e);
        }
    }

    URI uri() {
        return origin.uri();
    }

    /** How many requests arrived that no {@link #take} has consumed yet. */
    int unread() {
        return received.size();
    }

    /** The next request the origin received for {@code path}; others are skipped. */
    Received take(String path) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            Received r = received.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (r == null) {
                throw new AssertionError("the origin received no request for " + path + " within 10 s");
            }
            if (r.path().equals(path)) {
                return r;
            }
        }
    }

    @Override
    public void close() {
        origin.close();
    }
}
