package dev.outpost.edge.server;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import dev.outpost.testkit.TestOrigin;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-test origin that counts the requests it gets per path and answers as the query asks: {@code status},
 * {@code cc} (Cache-Control), {@code sc} (Surrogate-Control), {@code sk} (Surrogate-Key), {@code expires},
 * {@code age}, {@code vary}, {@code etag} (answers 304 to a matching If-None-Match), {@code cookie} (Set-Cookie),
 * {@code delay} (milliseconds before answering). The body names the path, the count and the request headers the
 * tests look at; a request with a body is answered with its length, SHA-256 and framing. Served by the project's
 * {@link TestOrigin}.
 */
final class CountingOrigin implements AutoCloseable {
    private final TestOrigin server;
    private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
    private final Map<String, String> lastIfNoneMatch = new ConcurrentHashMap<>();

    CountingOrigin() throws IOException {
        server = new TestOrigin().otherwise(this::handle);
    }

    URI uri() {
        return server.uri();
    }

    /** Requests received for {@code path} (without the query). */
    int count(String path) {
        AtomicInteger n = counts.get(path);
        return n == null ? 0 : n.get();
    }

    /** The If-None-Match of the last request for {@code path}, or null. */
    String lastIfNoneMatch(String path) {
        return lastIfNoneMatch.get(path);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            Map<String, String> q = query(exchange.getRequestURI().getRawQuery());
            int n = counts.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
            String ifNoneMatch = exchange.getRequestHeaders().getFirst("if-none-match");
            if (ifNoneMatch != null) {
                lastIfNoneMatch.put(path, ifNoneMatch);
            } else {
                lastIfNoneMatch.remove(path);
            }
            byte[] received = TestOrigin.body(exchange);
            if (q.containsKey("delay")) {
                Thread.sleep(Long.parseLong(q.get("delay")));
            }
            var h = exchange.getResponseHeaders();
            put(h, "cache-control", q.get("cc"));
            put(h, "surrogate-control", q.get("sc"));
            put(h, "surrogate-key", q.get("sk"));
            put(h, "expires", q.get("expires"));
            put(h, "age", q.get("age"));
            put(h, "vary", q.get("vary"));
            put(h, "etag", q.get("etag"));
            put(h, "set-cookie", q.get("cookie"));
            if (q.containsKey("etag") && q.get("etag").equals(ifNoneMatch)) {
                exchange.sendResponseHeaders(304, -1);
                return;
            }
            String text;
            if (received.length > 0) {
                text = "got " + received.length + " bytes sha256=" + sha256(received) + " content-length="
                        + exchange.getRequestHeaders().getFirst("content-length") + " transfer-encoding="
                        + exchange.getRequestHeaders().getFirst("transfer-encoding");
            } else {
                text = path + " #" + n + " lang=" + exchange.getRequestHeaders().getFirst("x-lang") + " before="
                        + exchange.getRequestHeaders().getFirst("x-before");
            }
            byte[] body = text.getBytes(StandardCharsets.UTF_8);
            int status = Integer.parseInt(q.getOrDefault("status", "200"));
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void put(Headers h, String name, String value) {
        if (value != null) {
            h.add(name, value);
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new LinkedHashMap<>();
        if (raw == null) {
            return out;
        }
        for (String part : raw.split("&")) {
            int eq = part.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? part : part.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
            out.put(k, v);
        }
        return out;
    }

    @Override
    public void close() {
        server.close();
    }
}
