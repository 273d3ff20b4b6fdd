package dev.outpost.edge.server;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** An in-test origin: answers every request with its method, path and body, and records what it received. */
final class TestOrigin implements AutoCloseable {
    /** What the origin saw. */
    record Received(String method, String path, String host, String fromEdge, String body) {}

    private final HttpServer server;
    private final String scheme;
    private final LinkedBlockingQueue<Received> received = new LinkedBlockingQueue<>();
    private final java.util.concurrent.CountDownLatch closed = new java.util.concurrent.CountDownLatch(1);

    TestOrigin() throws IOException {
        this(false);
    }

    /** With {@code tls}, serves HTTPS with the test certificate in {@code certs/origin.p12} (127.0.0.1, localhost). */
    TestOrigin(boolean tls) throws IOException {
        if (tls) {
            var https = com.sun.net.httpserver.HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            https.setHttpsConfigurator(new com.sun.net.httpserver.HttpsConfigurator(sslContext()));
            server = https;
        } else {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        }
        this.scheme = tls ? "https" : "http";
        server.createContext("/", this::handle);
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.start();
    }

    private void handle(HttpExchange exchange) throws IOException {
        if (exchange.getRequestURI().getPath().equals("/stall")) {
            // Never answers while the test runs: for backend timeouts.
            try {
                closed.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
            return;
        }
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
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
        exchange.close();
    }

    private static javax.net.ssl.SSLContext sslContext() throws IOException {
        try (var in = TestOrigin.class.getResourceAsStream("/certs/origin.p12")) {
            var keys = java.security.KeyStore.getInstance("PKCS12");
            keys.load(in, "changeit".toCharArray());
            var kmf =
                    javax.net.ssl.KeyManagerFactory.getInstance(javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, "changeit".toCharArray());
            var context = javax.net.ssl.SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), null, null);
            return context;
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException("test TLS context: " + e.getMessage(), e);
        }
    }

    URI uri() {
        return URI.create(scheme + "://127.0.0.1:" + server.getAddress().getPort() + "/");
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
        closed.countDown();
        server.stop(0);
    }
}
