package dev.outpost.proxy.hold;

import java.util.List;
import java.util.Map;

/**
 * The response an origin gave for a held request, GRIP headers already removed: sent as is when a long-poll times
 * out, the base a published {@code http-response} is merged into, and the head of a stream.
 */
public record HeldResponse(int code, String reason, List<Map.Entry<String, String>> headers, byte[] body) {
    public HeldResponse {
        headers = List.copyOf(headers);
        body = body == null ? new byte[0] : body;
    }
}
