package dev.outpost.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.proxy.support.LeakGuard;
import dev.outpost.proxy.support.ProxyHarness;
import dev.outpost.proxy.support.Publisher;
import dev.outpost.testkit.TestOrigin;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Server-Sent Events as Pushpin serves them: a stream hold the origin formats, keep-alive comments, Last-Event-ID. */
@ExtendWith(LeakGuard.class)
@Timeout(60)
class ServerSentEventsTest {
    static final HttpClient CLIENT = HttpClient.newHttpClient();
    TestOrigin origin;
    OutpostProxy proxy;

    @BeforeEach
    void start() throws Exception {
        origin = new TestOrigin();
        origin.on("/events", ex -> {
            String last = ex.getRequestHeaders().getFirst("Last-Event-ID");
            String body =
                    "retry: 1000\n\n" + (last == null ? "" : "id: " + last + "-r\ndata: replay after " + last + "\n\n");
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "text/event-stream");
            ex.getResponseHeaders().set("Grip-Hold", "stream");
            ex.getResponseHeaders().set("Grip-Channel", "news");
            ex.getResponseHeaders().set("Grip-Keep-Alive", ":\\n\\n; format=cstring; timeout=1");
            ex.sendResponseHeaders(200, b.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(b);
            }
        });
        proxy = ProxyHarness.start("* 127.0.0.1:" + origin.port() + "\n");
    }

    @AfterEach
    void stop() {
        proxy.close();
        origin.close();
    }

    private BlockingQueue<String> open(HttpRequest.Builder b) throws Exception {
        HttpResponse<Stream<String>> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofLines());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).contains("text/event-stream");
        assertThat(r.headers().map().keySet()).noneMatch(h -> h.toLowerCase().startsWith("grip-"));
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread t = new Thread(() -> {
            try {
                r.body().forEach(lines::add);
            } catch (RuntimeException e) {
                // closed at the end of the test
            }
        });
        t.setDaemon(true);
        t.start();
        return lines;
    }

    private static String next(BlockingQueue<String> lines) throws InterruptedException {
        String l = lines.poll(10, TimeUnit.SECONDS);
        if (l == null) {
            throw new AssertionError("no line");
        }
        return l;
    }

    @Test
    void eventsAndKeepAliveComments() throws Exception {
        BlockingQueue<String> lines =
                open(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.httpPort() + "/events"))
                        .header("Accept", "text/event-stream"));
        assertThat(next(lines)).isEqualTo("retry: 1000");
        assertThat(next(lines)).isEmpty();
        Awaitility.await().until(() -> proxy.hub().subscriberCount("news") == 1);
        Publisher.publish(
                proxy.publishPort(),
                "{\"items\":[{\"channel\":\"news\",\"formats\":{\"http-stream\":"
                        + "{\"content\":\"event: update\\nid: 7\\ndata: hello\\n\\n\"}}}]}");
        String l;
        do {
            l = next(lines);
        } while (l.equals(":") || l.isEmpty());
        assertThat(l).isEqualTo("event: update");
        assertThat(next(lines)).isEqualTo("id: 7");
        assertThat(next(lines)).isEqualTo("data: hello");
        // the keep-alive comment arrives within its timeout
        do {
            l = next(lines);
        } while (l.isEmpty());
        assertThat(l).isEqualTo(":");
    }

    @Test
    void lastEventIdReachesTheOriginUntouched() throws Exception {
        BlockingQueue<String> lines =
                open(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.httpPort() + "/events"))
                        .header("Last-Event-ID", "41 x;y"));
        assertThat(origin.take().header("Last-Event-ID")).isEqualTo("41 x;y");
        assertThat(next(lines)).isEqualTo("retry: 1000");
        assertThat(next(lines)).isEmpty();
        assertThat(next(lines)).isEqualTo("id: 41 x;y-r");
        assertThat(next(lines)).isEqualTo("data: replay after 41 x;y");
    }
}
