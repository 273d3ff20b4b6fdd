package dev.outpost.edge.wat;

import dev.outpost.edge.config.LocalServerConfig;
import dev.outpost.edge.server.EdgeConfig;
import dev.outpost.edge.server.EdgeServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.UnaryOperator;

/** A test program served by a real {@link EdgeServer} on a free port, with a client and its log lines. */
public final class WatServer implements AutoCloseable {
    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private final Path file;
    private final EdgeServer server;
    private final ConcurrentLinkedQueue<String> logLines = new ConcurrentLinkedQueue<>();

    private WatServer(String engine, byte[] wasm, UnaryOperator<EdgeConfig> configure) {
        try {
            file = Files.createTempFile("outpost-wat-", ".wasm");
            Files.write(file, wasm);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        EdgeConfig config = EdgeConfig.of(file)
                .withAddress(new InetSocketAddress("127.0.0.1", 0))
                .withEngine(engine)
                .withRequestTimeout(Duration.ofSeconds(20))
                .withLogSink((endpoint, message) -> logLines.add(endpoint + " :: " + message));
        try {
            server = new EdgeServer(configure.apply(config)).start();
        } catch (RuntimeException e) {
            deleteFile();
            throw e;
        }
    }

    /** Serves {@code wasm} on {@code engine} with default options. */
    public static WatServer start(String engine, byte[] wasm) {
        return new WatServer(engine, wasm, c -> c);
    }

    /** Serves {@code wasm} with {@code [local_server]} settings. */
    public static WatServer start(String engine, byte[] wasm, LocalServerConfig local) {
        return new WatServer(engine, wasm, c -> c.withLocalServer(local));
    }

    /** Serves {@code wasm} with options changed by {@code configure}. */
    public static WatServer start(String engine, byte[] wasm, UnaryOperator<EdgeConfig> configure) {
        return new WatServer(engine, wasm, configure);
    }

    public int port() {
        return server.port();
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port() + path);
    }

    public EdgeServer server() {
        return server;
    }

    /** {@code GET path}, the body as text. */
    public HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(uri(path)));
    }

    public HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return CLIENT.send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** What the guest wrote to logging endpoints and stdout/stderr, as {@code endpoint :: message}. */
    public List<String> logLines() {
        return List.copyOf(logLines);
    }

    @Override
    public void close() {
        server.close();
        deleteFile();
    }

    private void deleteFile() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // A temp file; nothing else to do.
        }
    }
}
