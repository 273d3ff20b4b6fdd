package example;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.net.httpserver.HttpServer;
import dev.outpost.grip.origin.GripInstruction;
import dev.outpost.junit.OutpostExtension;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class StreamTest {
    // The backend under test: it answers every request by holding it as a stream on channel "news".
    static final HttpServer backend = startBackend();

    // A GRIP proxy in front of it, on free ports, started once for this class.
    @RegisterExtension
    static final OutpostExtension outpost =
            OutpostExtension.withRoutes("* 127.0.0.1:" + backend.getAddress().getPort());

    static final HttpClient http = HttpClient.newHttpClient();

    static HttpServer startBackend() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/", exchange -> {
                GripInstruction.holdStream("news")
                        .headers()
                        .forEach(h -> exchange.getResponseHeaders().add(h.getKey(), h.getValue()));
                byte[] body = "welcome\n".getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            });
            server.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @AfterAll
    static void stop() {
        http.shutdownNow(); // held streams do not end by themselves
        backend.stop(0);
    }

    @Test
    void aClientOfTheStreamGetsWhatIsPublished() throws Exception {
        HttpResponse<InputStream> stream = http.send(
                HttpRequest.newBuilder(URI.create(outpost.proxyUrl() + "/news")).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        try (BufferedReader in = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
            assertEquals("welcome", in.readLine());

            outpost.awaitSubscribers("news", 1, Duration.ofSeconds(5));
            outpost.publisher().publishHttpStream("news", "hello\n");

            assertEquals("hello", in.readLine());
        }
    }
}
