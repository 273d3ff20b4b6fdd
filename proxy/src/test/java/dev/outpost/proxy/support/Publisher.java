package dev.outpost.proxy.support;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** Publishes over the publish API, as a user would. */
public final class Publisher {
    private static final HttpClient CLIENT =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private Publisher() {}

    public static HttpResponse<String> publish(int port, String json) throws IOException, InterruptedException {
        return CLIENT.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/publish/"))
                        .POST(HttpRequest.BodyPublishers.ofString(json))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Publishes one item on {@code channel} with both an http-response body and http-stream content. */
    public static void publishText(int port, String channel, String text) throws IOException, InterruptedException {
        String t = text.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
        HttpResponse<String> r = publish(
                port,
                "{\"items\":[{\"channel\":\"" + channel + "\",\"formats\":{" + "\"http-response\":{\"body\":\"" + t
                        + "\"},\"http-stream\":{\"content\":\"" + t + "\"}}}]}");
        if (r.statusCode() != 200) {
            throw new AssertionError("publish answered " + r.statusCode() + ": " + r.body());
        }
    }

    /** Publishes the given comma-separated item objects; fails unless the API answers 200. */
    public static void publishItems(int port, String items) throws IOException, InterruptedException {
        HttpResponse<String> r = publish(port, "{\"items\":[" + items + "]}");
        if (r.statusCode() != 200) {
            throw new AssertionError("publish answered " + r.statusCode() + ": " + r.body());
        }
    }

    /** One http-stream item; {@code extra} is spliced in as further item fields (e.g. {@code ,"id":"1"}). */
    public static String streamItem(String channel, String content, String extra) {
        return "{\"channel\":\"" + channel + "\"" + extra + ",\"formats\":{\"http-stream\":{\"content\":\""
                + content.replace("\n", "\\n") + "\"}}}";
    }
}
