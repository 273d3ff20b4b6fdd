package dev.outpost.edge.server;

import dev.outpost.edge.config.BackendConfig;
import dev.outpost.edge.config.LocalServerConfig;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Map;

/**
 * A test app (one of {@link TestApps}) served on a free port with one backend, {@code origin}, a {@link CountingOrigin};
 * and an HTTP/1.1 client for it. What the cache suites share.
 */
record CountingOriginApp(CountingOrigin origin, EdgeServer server, HttpClient client) implements AutoCloseable {

    /** Starts the app {@code name} on {@code engine}; its logs go nowhere. */
    static CountingOriginApp start(String name, String engine) throws Exception {
        CountingOrigin origin = new CountingOrigin();
        try {
            LocalServerConfig local = new LocalServerConfig(
                    Map.of("origin", BackendConfig.of("origin", origin.uri())),
                    Map.of(),
                    Map.of(),
                    Map.of(),
                    Map.of(),
                    true,
                    Map.of(),
                    Map.of());
            EdgeServer server = new EdgeServer(EdgeConfig.of(TestApps.wasm(name))
                            .withAddress(new InetSocketAddress("127.0.0.1", 0))
                            .withEngine(engine)
                            .withLocalServer(local)
                            .withLogSink((endpoint, message) -> {}))
                    .start();
            HttpClient client = HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5))
                    .build();
            return new CountingOriginApp(origin, server, client);
        } catch (Exception | Error e) {
            origin.close();
            throw e;
        }
    }

    @Override
    public void close() {
        server.close();
        origin.close();
        client.shutdownNow();
    }
}
