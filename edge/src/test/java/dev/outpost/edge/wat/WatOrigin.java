package dev.outpost.edge.wat;

import com.sun.net.httpserver.HttpExchange;
import dev.outpost.edge.config.BackendConfig;
import dev.outpost.testkit.TestOrigin;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test origin on a free port, served by the project's {@link TestOrigin}: answers {@code origin:<path>} with
 * {@code x-origin: 1}; {@code /gate} answers only once the test opens the gate.
 */
public final class WatOrigin implements AutoCloseable {
    private final TestOrigin origin;
    private final CountDownLatch gate = new CountDownLatch(1);
    private final AtomicInteger arrivals = new AtomicInteger();

    /** Requests to {@code /gate} so far; each waits until {@link #openGate()}. */
    public int arrivals() {
        return arrivals.get();
    }

    public void openGate() {
        gate.countDown();
    }

    public WatOrigin() {
        try {
            origin = new TestOrigin().otherwise(this::answer);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void answer(HttpExchange exchange) throws IOException {
        if (exchange.getRequestURI().getPath().equals("/gate")) {
            arrivals.incrementAndGet();
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        byte[] body = ("origin:" + exchange.getRequestURI().getPath()).getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("x-origin", "1");
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
    }

    public URI uri() {
        return origin.uri();
    }

    public BackendConfig backend(String name) {
        return BackendConfig.of(name, uri());
    }

    @Override
    public void close() {
        gate.countDown();
        origin.close();
    }
}
