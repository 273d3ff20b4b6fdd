package dev.outpost.grip.publish;

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
        return "HttpStreamFormat[action=" + action + ", content=" + dev.outpost.grip.internal.Bytes.show(content)
                + ", contentFilters=" + contentFilters + "]";
    }
}
