package dev.outpost.grip.publish;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outpost.grip.HttpStatusText;
import dev.outpost.grip.internal.Bytes;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * {@code http-response}: the response that ends a long-poll.
 *
 * @param action         SEND or HINT (CLOSE and REFRESH parse but mean nothing for long-polls); for anything
 *                       but SEND the other fields keep their defaults
 * @param code           status code, default 200
 * @param reason         reason phrase, default the standard phrase
 * @param headers        headers that override same-named headers of the held timeout response
 * @param body           body bytes, or {@code null} when the item gives none (or gives a patch)
 * @param bodyPatch      JSON Patch array applied to the held response body, or {@code null}
 * @param contentFilters content-modifying filters the body was prepared for
 */
public record HttpResponseFormat(
        PublishAction action,
        int code,
        String reason,
        List<Map.Entry<String, String>> headers,
        byte[] body,
        JsonNode bodyPatch,
        List<String> contentFilters)
        implements PublishFormat {

    public HttpResponseFormat {
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(reason, "reason");
        headers = headers == null ? List.of() : List.copyOf(headers);
        contentFilters = contentFilters == null ? List.of() : List.copyOf(contentFilters);
    }

    /** A 200 response with this UTF-8 body. */
    public static HttpResponseFormat of(String body) {
        return of(200, List.of(), body.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A response with this code (the standard reason phrase), headers (overriding same-named ones of the held
     * response) and body.
     */
    public static HttpResponseFormat of(int code, List<Map.Entry<String, String>> headers, byte[] body) {
        checkCode(code);
        return new HttpResponseFormat(
                PublishAction.SEND,
                code,
                HttpStatusText.of(code),
                headers,
                Objects.requireNonNull(body, "body").clone(),
                null,
                List.of());
    }

    /** A 200 response whose body is the held response's body with this JSON Patch (RFC 6902) applied. */
    public static HttpResponseFormat patch(JsonNode operations) {
        if (!Objects.requireNonNull(operations, "operations").isArray()) {
            throw new IllegalArgumentException("body-patch: " + operations + " (expected: a JSON array of operations)");
        }
        return new HttpResponseFormat(
                PublishAction.SEND, 200, HttpStatusText.of(200), List.of(), null, operations.deepCopy(), List.of());
    }

    /** No content: long-polls re-ask the origin now (with {@code Grip-Last}). */
    public static HttpResponseFormat hint() {
        return new HttpResponseFormat(
                PublishAction.HINT, 200, HttpStatusText.of(200), List.of(), null, null, List.of());
    }

    private static void checkCode(int code) {
        if (code < 0 || code > 999) {
            throw new IllegalArgumentException("code: " + code + " (expected: 0-999)");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HttpResponseFormat f
                && action == f.action
                && code == f.code
                && reason.equals(f.reason)
                && headers.equals(f.headers)
                && Arrays.equals(body, f.body)
                && Objects.equals(bodyPatch, f.bodyPatch)
                && contentFilters.equals(f.contentFilters);
    }

    @Override
    public int hashCode() {
        return Objects.hash(action, code, reason, headers, Arrays.hashCode(body), bodyPatch, contentFilters);
    }

    @Override
    public String toString() {
        return "HttpResponseFormat[action=" + action + ", code=" + code + ", reason=" + reason + ", headers=" + headers
                + ", body=" + Bytes.show(body) + ", bodyPatch=" + bodyPatch
                + ", contentFilters=" + contentFilters + "]";
    }
}
