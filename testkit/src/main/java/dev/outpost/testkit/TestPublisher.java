package dev.outpost.testkit;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Publishes to a GRIP proxy's HTTP publish API ({@code POST /publish/} on 127.0.0.1), as a user's backend would.
 *
 * <pre>{@code
 * TestPublisher publisher = new TestPublisher(http, publishPort);
 * String line = publisher.publishUntil(nextLine, "test", "\"http-stream\":{\"content\":\"hi\\n\"}", Duration.ofSeconds(20));
 * }</pre>
 */
public final class TestPublisher {
    private final HttpClient http;
    private final URI uri;

    public TestPublisher(HttpClient http, int port) {
        this.http = http;
        this.uri = URI.create("http://127.0.0.1:" + port + "/publish/");
    }

    /** Posts {@code json} as it is; the answer, whatever its status. */
    public HttpResponse<String> post(String json) throws IOException, InterruptedException {
        return http.send(
                HttpRequest.newBuilder(uri)
                        .POST(HttpRequest.BodyPublishers.ofString(json))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Publishes one item on {@code channel}; {@code formats} are the members of its {@code formats} object (e.g.
     * {@code "http-stream":{"content":"hi\n"}}). Fails unless the API answers 200.
     */
    public void publish(String channel, String formats) throws IOException, InterruptedException {
        HttpResponse<String> r = post(items(channel, formats));
        if (r.statusCode() != 200) {
            throw new AssertionError("publish to " + uri + " answered " + r.statusCode() + ": " + r.body());
        }
    }

    /**
     * Publishes every 300 ms until {@code done} completes (a hold only receives what is published after it
     * subscribed, and a test cannot see that moment), for at most {@code atMost}; then {@code done}'s value.
     */
    public <T> T publishUntil(CompletableFuture<T> done, String channel, String formats, Duration atMost)
            throws IOException, InterruptedException, ExecutionException, TimeoutException {
        long deadline = System.nanoTime() + atMost.toNanos();
        while (!done.isDone()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("nothing arrived within " + atMost + " of publishing " + formats);
            }
            publish(channel, formats);
            try {
                return done.get(300, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                // not yet: publish again
            }
        }
        return done.get(1, TimeUnit.SECONDS);
    }

    /** The publish body of one item on {@code channel} with {@code formats}. */
    public static String items(String channel, String formats) {
        return "{\"items\":[{\"channel\":\"" + channel + "\",\"formats\":{" + formats + "}}]}";
    }
}
