package dev.outpost.grip.wsovh;

import dev.outpost.grip.internal.Bytes;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/** One WebSocket-over-HTTP event. */
public sealed interface WsEvent {

    /** The wire name: {@code OPEN}, {@code TEXT}, ... */
    String type();

    record Open() implements WsEvent {
        @Override
        public String type() {
            return "OPEN";
        }
    }

    record Text(byte[] content) implements WsEvent {
        public Text {
            Objects.requireNonNull(content, "content");
        }

        public Text(String text) {
            this(text.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String type() {
            return "TEXT";
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Text t && Arrays.equals(content, t.content);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(content);
        }

        @Override
        public String toString() {
            return "Text[" + Bytes.show(content) + "]";
        }
    }

    record Binary(byte[] content) implements WsEvent {
        public Binary {
            Objects.requireNonNull(content, "content");
        }

        @Override
        public String type() {
            return "BINARY";
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Binary t && Arrays.equals(content, t.content);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(content);
        }

        @Override
        public String toString() {
            return "Binary[" + Bytes.show(content) + "]";
        }
    }

    record Ping(byte[] content) implements WsEvent {
        public Ping {
            Objects.requireNonNull(content, "content");
        }

        @Override
        public String type() {
            return "PING";
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Ping t && Arrays.equals(content, t.content);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(content);
        }

        @Override
        public String toString() {
            return "Ping[" + Bytes.show(content) + "]";
        }
    }

    record Pong(byte[] content) implements WsEvent {
        public Pong {
            Objects.requireNonNull(content, "content");
        }

        @Override
        public String type() {
            return "PONG";
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Pong t && Arrays.equals(content, t.content);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(content);
        }

        @Override
        public String toString() {
            return "Pong[" + Bytes.show(content) + "]";
        }
    }

    /**
     * @param code   close status code 0-65535, or -1 when the event carried none (then the reason is not sent)
     * @param reason close reason, empty when none
     */
    record Close(int code, String reason) implements WsEvent {
        public Close {
            if (code < -1 || code > 0xffff) {
                throw new IllegalArgumentException("close code: " + code + " (expected: -1 or 0-65535)");
            }
            reason = reason == null ? "" : reason;
        }

        @Override
        public String type() {
            return "CLOSE";
        }
    }

    record Disconnect() implements WsEvent {
        @Override
        public String type() {
            return "DISCONNECT";
        }
    }
}
