package dev.outpost.bus.support;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Publishes through a node's publish API. */
public final class Http {
    private static final HttpClient CLIENT =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private Http() {}

    public static HttpResponse<String> post(int port, String path, String body)
            throws IOException, InterruptedException {
        return CLIENT.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .timeout(Duration.ofSeconds(30))
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    public static String get(int port, String path) throws IOException, InterruptedException {
        return CLIENT.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                                .timeout(Duration.ofSeconds(30))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }

    /** {@code POST /publish/} of one stream item; the status and body of the answer. */
    public static HttpResponse<String> publish(int port, String channel, String content, String extra)
            throws IOException, InterruptedException {
        return post(port, "/publish/", items(channel, content, extra));
    }

    public static String items(String channel, String content, String extra) {
        return "{\"items\":[" + item(channel, content, extra) + "]}";
    }

    public static String item(String channel, String content, String extra) {
        return "{\"channel\":\"" + channel + "\"" + (extra == null ? "" : "," + extra)
                + ",\"formats\":{\"http-stream\":{\"content\":\"" + content + "\\n\"}}}";
    }
}
