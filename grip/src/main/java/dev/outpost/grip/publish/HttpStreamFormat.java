package dev.outpost.grip.publish;

import dev.outpost.grip.internal.Bytes;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * {@code http-stream}: content appended to held streams.
 *
 * @param action         SEND, HINT or CLOSE
 * @param content        the bytes to append; {@code null} only for HINT and CLOSE
 * @param contentFilters content-modifying filters the content was prepared for
 */
public record HttpStreamFormat(PublishAction action, byte[] content, List<String> contentFilters)
        implements PublishFormat {

    public HttpStreamFormat {
        Objects.requireNonNull(action, "action");
        contentFilters = contentFilters == null ? List.of() : List.copyOf(contentFilters);
    }

    /** Content appended to held streams, as UTF-8. */
    public static HttpStreamFormat of(String content) {
        return of(content.getBytes(StandardCharsets.UTF_8));
    }

    /** Content appended to held streams. */
    public static HttpStreamFormat of(byte[] content) {
        return new HttpStreamFormat(
                PublishAction.SEND, Objects.requireNonNull(content, "content").clone(), List.of());
    }

    /** Ends held streams (after what was queued before). */
    public static HttpStreamFormat close() {
        return new HttpStreamFormat(PublishAction.CLOSE, null, List.of());
    }

    /** No content: streams with a next link fetch it now. */
    public static HttpStreamFormat hint() {
        return new HttpStreamFormat(PublishAction.HINT, null, List.of());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HttpStreamFormat f
                && action == f.action
                && Arrays.equals(content, f.content)
                && contentFilters.equals(f.contentFilters);
    }

    @Override
    public int hashCode() {
        return Objects.hash(action, Arrays.hashCode(content), contentFilters);
    }

    @Override
    public String toString() {
        return "HttpStreamFormat[action=" + action + ", content=" + Bytes.show(content) + ", contentFilters="
                + contentFilters + "]";
    }
}
