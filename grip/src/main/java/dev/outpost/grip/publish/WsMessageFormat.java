package dev.outpost.grip.publish;

import dev.outpost.grip.internal.Bytes;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * {@code ws-message}: a message sent to subscribed WebSocket clients.
 *
 * @param action         SEND, CLOSE or REFRESH (HINT is accepted and ignored by WebSocket sessions)
 * @param type           frame type (TEXT when the action is not SEND)
 * @param content        payload, empty for CLOSE and REFRESH
 * @param closeCode      close status code for CLOSE, or -1 for none
 * @param closeReason    close reason, empty when none
 * @param contentFilters content-modifying filters the content was prepared for
 */
public record WsMessageFormat(
        PublishAction action,
        WsMessageType type,
        byte[] content,
        int closeCode,
        String closeReason,
        List<String> contentFilters)
        implements PublishFormat {

    public WsMessageFormat {
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(type, "type");
        content = content == null ? new byte[0] : content;
        closeReason = closeReason == null ? "" : closeReason;
        contentFilters = contentFilters == null ? List.of() : List.copyOf(contentFilters);
    }

    /** A text message. */
    public static WsMessageFormat text(String text) {
        return new WsMessageFormat(
                PublishAction.SEND, WsMessageType.TEXT, text.getBytes(StandardCharsets.UTF_8), -1, "", List.of());
    }

    /** A binary message. */
    public static WsMessageFormat binary(byte[] content) {
        return new WsMessageFormat(
                PublishAction.SEND,
                WsMessageType.BINARY,
                Objects.requireNonNull(content, "content").clone(),
                -1,
                "",
                List.of());
    }

    /** Closes subscribed WebSockets without a close code. */
    public static WsMessageFormat close() {
        return new WsMessageFormat(PublishAction.CLOSE, WsMessageType.TEXT, null, -1, "", List.of());
    }

    /** Closes subscribed WebSockets with this close code (0-65535) and reason. */
    public static WsMessageFormat close(int code, String reason) {
        if (code < 0 || code > 0xffff) {
            throw new IllegalArgumentException("close code: " + code + " (expected: 0-65535)");
        }
        return new WsMessageFormat(PublishAction.CLOSE, WsMessageType.TEXT, null, code, reason, List.of());
    }

    /** WebSocket-over-HTTP: the proxy asks the origin about each subscribed connection now. */
    public static WsMessageFormat refresh() {
        return new WsMessageFormat(PublishAction.REFRESH, WsMessageType.TEXT, null, -1, "", List.of());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WsMessageFormat f
                && action == f.action
                && type == f.type
                && Arrays.equals(content, f.content)
                && closeCode == f.closeCode
                && closeReason.equals(f.closeReason)
                && contentFilters.equals(f.contentFilters);
    }

    @Override
    public int hashCode() {
        return Objects.hash(action, type, Arrays.hashCode(content), closeCode, closeReason, contentFilters);
    }

    @Override
    public String toString() {
        return "WsMessageFormat[action=" + action + ", type=" + type + ", content="
                + Bytes.show(content) + ", closeCode=" + closeCode + ", closeReason="
                + closeReason + ", contentFilters=" + contentFilters + "]";
    }
}
