package dev.outpost.proxy.session;

import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The built-in {@code test} route target, answering as Pushpin's ({@code proxy/testhttprequest.cpp}):
 * {@code /response} holds a long-poll and {@code /stream} a stream, on channel {@code test} or the {@code channel}
 * query parameters.
 */
final class TestTarget {
    record Answer(HttpResponse head, byte[] body) {}

    private TestTarget() {}

    static Answer answer(String uri) {
        QueryStringDecoder q = new QueryStringDecoder(uri);
        String path = q.path();
        if (path.length() >= 2 && path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        Set<String> channels = new LinkedHashSet<>(q.parameters().getOrDefault("channel", List.of()));
        if (channels.isEmpty()) {
            channels.add("test");
        }
        return switch (path) {
            case "/" -> text(HttpResponseStatus.OK, "Hello from the Pushpin test handler!\n", null, channels);
            case "/response" -> text(HttpResponseStatus.OK, "nothing for now\n", "response", channels);
            case "/stream" -> text(HttpResponseStatus.OK, "[stream opened]\n", "stream", channels);
            default -> text(HttpResponseStatus.NOT_FOUND, "no such test resource\n", null, channels);
        };
    }

    private static Answer text(HttpResponseStatus status, String body, String hold, Set<String> channels) {
        HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, status);
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain");
        if (hold != null) {
            r.headers().set("Grip-Hold", hold);
            r.headers().set("Grip-Channel", String.join(", ", channels));
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        r.headers().set(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
        return new Answer(r, bytes);
    }
}
