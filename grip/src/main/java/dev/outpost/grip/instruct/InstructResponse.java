package dev.outpost.grip.instruct;

import dev.outpost.grip.internal.Bytes;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The {@code response} object of an {@code application/grip-instruct} body: it replaces the origin's
 * own response as what the client (or the hold's timeout) receives.
 *
 * @param code    status code, default 200
 * @param reason  reason phrase, default the standard phrase
 * @param headers header (name, value) pairs in order
 * @param body    body bytes, empty when absent
 */
public record InstructResponse(int code, String reason, List<Map.Entry<String, String>> headers, byte[] body) {
    public InstructResponse {
        Objects.requireNonNull(reason, "reason");
        headers = headers == null ? List.of() : List.copyOf(headers);
        body = body == null ? new byte[0] : body;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof InstructResponse r
                && code == r.code
                && reason.equals(r.reason)
                && headers.equals(r.headers)
                && Arrays.equals(body, r.body);
    }

    @Override
    public int hashCode() {
        return Objects.hash(code, reason, headers, Arrays.hashCode(body));
    }

    @Override
    public String toString() {
        return "InstructResponse[code=" + code + ", reason=" + reason + ", headers=" + headers + ", body="
                + Bytes.show(body) + "]";
    }
}
