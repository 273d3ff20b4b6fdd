package dev.outpost.grip.publish;

import com.fasterxml.jackson.databind.JsonNode;
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
                + ", body=" + dev.outpost.grip.internal.Bytes.show(body) + ", bodyPatch=" + bodyPatch
                + ", contentFilters=" + contentFilters + "]";
    }
}
