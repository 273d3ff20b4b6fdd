package dev.outpost.grip.control;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.outpost.grip.instruct.KeepAliveMode;
import dev.outpost.grip.publish.WsMessageType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;

/**
 * Writes a control message as a GRIP WebSocket origin sends it: {@code c:} and a JSON object. The inverse of
 * {@link ControlMessageParser} (which reads the JSON after the prefix).
 */
public final class ControlMessageWriter {
    private static final class Json {
        static final JsonFactory FACTORY = new JsonFactory();
    }

    private ControlMessageWriter() {}

    /** {@code c:{...}} as UTF-8 bytes. */
    public static byte[] write(ControlMessage message) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64);
        out.writeBytes(ControlMessageParser.PREFIX.getBytes(StandardCharsets.US_ASCII));
        try (JsonGenerator g = Json.FACTORY.createGenerator(out)) {
            g.writeStartObject();
            switch (message) {
                case ControlMessage.Subscribe s -> {
                    g.writeStringField("type", "subscribe");
                    g.writeStringField("channel", s.channel());
                    if (!s.filters().isEmpty()) {
                        g.writeArrayFieldStart("filters");
                        for (String f : s.filters()) {
                            g.writeString(f);
                        }
                        g.writeEndArray();
                    }
                }
                case ControlMessage.Unsubscribe u -> {
                    g.writeStringField("type", "unsubscribe");
                    g.writeStringField("channel", u.channel());
                }
                case ControlMessage.Detach d -> g.writeStringField("type", "detach");
                case ControlMessage.Session s -> {
                    g.writeStringField("type", "session");
                    if (s.id() != null) {
                        g.writeStringField("id", s.id());
                    }
                }
                case ControlMessage.SetMeta m -> {
                    g.writeStringField("type", "set-meta");
                    g.writeStringField("name", m.name());
                    if (m.value() != null) {
                        g.writeStringField("value", m.value());
                    }
                }
                case ControlMessage.KeepAlive k -> {
                    g.writeStringField("type", "keep-alive");
                    // without content keep-alives are off: still write what is not the default, so that what was
                    // parsed writes back to the same message
                    if (k.content() != null) {
                        message(g, k.type(), k.content());
                    } else if (k.type() != WsMessageType.TEXT) {
                        g.writeStringField("message-type", k.type().name().toLowerCase(Locale.ROOT));
                    }
                    if (k.content() != null || k.timeoutSeconds() != ControlMessage.KeepAlive.DEFAULT_TIMEOUT) {
                        g.writeNumberField("timeout", k.timeoutSeconds());
                    }
                    if (k.mode() == KeepAliveMode.INTERVAL) {
                        g.writeStringField("mode", "interval");
                    }
                }
                case ControlMessage.SendDelayed s -> {
                    g.writeStringField("type", "send-delayed");
                    message(g, s.type(), s.content());
                    g.writeNumberField("timeout", s.timeoutSeconds());
                }
                case ControlMessage.FlushDelayed f -> g.writeStringField("type", "flush-delayed");
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a control message", e);
        }
        return out.toByteArray();
    }

    private static void message(JsonGenerator g, WsMessageType type, byte[] content) throws IOException {
        if (type != WsMessageType.TEXT) {
            g.writeStringField("message-type", type.name().toLowerCase(Locale.ROOT));
        }
        if (type == WsMessageType.TEXT) {
            g.writeStringField("content", new String(content, StandardCharsets.UTF_8));
        } else {
            g.writeStringField("content-bin", Base64.getEncoder().encodeToString(content));
        }
    }
}
