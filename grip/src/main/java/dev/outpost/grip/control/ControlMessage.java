package dev.outpost.grip.control;

import dev.outpost.grip.instruct.KeepAliveMode;
import dev.outpost.grip.internal.Bytes;
import dev.outpost.grip.publish.WsMessageType;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/** A WebSocket control message sent by the origin ({@code c:} followed by a JSON object). */
public sealed interface ControlMessage {

    /** Subscribe the connection to {@code channel}. */
    record Subscribe(String channel, List<String> filters) implements ControlMessage {
        public Subscribe {
            Objects.requireNonNull(channel, "channel");
            filters = filters == null ? List.of() : List.copyOf(filters);
        }
    }

    record Unsubscribe(String channel) implements ControlMessage {
        public Unsubscribe {
            Objects.requireNonNull(channel, "channel");
        }
    }

    /** Close the origin side and keep the client connection. */
    record Detach() implements ControlMessage {}

    /** Session tracking; {@code id} {@code null} or empty clears it. */
    record Session(String id) implements ControlMessage {}

    /** Set subscription meta {@code name}; {@code value} {@code null} deletes it. */
    record SetMeta(String name, String value) implements ControlMessage {
        public SetMeta {
            Objects.requireNonNull(name, "name");
        }
    }

    /**
     * Keep-alive setup.
     *
     * @param type           frame type of the keep-alive message
     * @param content        message payload, or {@code null} to turn keep-alives off
     * @param timeoutSeconds period (default 55)
     * @param mode           idle (default) or interval
     */
    record KeepAlive(WsMessageType type, byte[] content, int timeoutSeconds, KeepAliveMode mode)
            implements ControlMessage {
        public static final int DEFAULT_TIMEOUT = 55;

        public KeepAlive {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(mode, "mode");
        }

        public boolean enabled() {
            return content != null;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof KeepAlive k
                    && type == k.type
                    && Arrays.equals(content, k.content)
                    && timeoutSeconds == k.timeoutSeconds
                    && mode == k.mode;
        }

        @Override
        public int hashCode() {
            return Objects.hash(type, Arrays.hashCode(content), timeoutSeconds, mode);
        }

        @Override
        public String toString() {
            return "KeepAlive[type=" + type + ", content=" + Bytes.show(content) + ", timeoutSeconds=" + timeoutSeconds
                    + ", mode=" + mode + "]";
        }
    }

    /**
     * Send a message after a delay unless replaced by another send-delayed or flushed first.
     *
     * @param type           frame type
     * @param content        payload (empty when none given)
     * @param timeoutSeconds delay (default 1)
     */
    record SendDelayed(WsMessageType type, byte[] content, int timeoutSeconds) implements ControlMessage {
        public static final int DEFAULT_TIMEOUT = 1;

        public SendDelayed {
            Objects.requireNonNull(type, "type");
            content = content == null ? new byte[0] : content;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof SendDelayed k
                    && type == k.type
                    && Arrays.equals(content, k.content)
                    && timeoutSeconds == k.timeoutSeconds;
        }

        @Override
        public int hashCode() {
            return Objects.hash(type, Arrays.hashCode(content), timeoutSeconds);
        }

        @Override
        public String toString() {
            return "SendDelayed[type=" + type + ", content=" + Bytes.show(content) + ", timeoutSeconds="
                    + timeoutSeconds + "]";
        }
    }

    /** Send the pending delayed message now. */
    record FlushDelayed() implements ControlMessage {}
}
