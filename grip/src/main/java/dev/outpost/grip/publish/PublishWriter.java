package dev.outpost.grip.publish;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.outpost.grip.HttpStatusText;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Writes the body of {@code POST /publish/}, {@code {"items": [...]}}: the inverse of {@link PublishParser}, so
 * {@code PublishParser.parse(PublishWriter.write(items))} gives the items back. Bytes that are valid UTF-8 go out as
 * {@code body}/{@code content}, anything else as Base64 {@code body-bin}/{@code content-bin}; a binary WebSocket
 * message always as {@code content-bin} (that is what makes it a binary frame). A pure function; uses Jackson's
 * streaming writer only, which is cheap to start.
 */
public final class PublishWriter {
    private static final class Factory {
        // created on first use: a one-shot publisher should not pay for it at class loading
        static final JsonFactory JSON = new JsonFactory();
    }

    private PublishWriter() {}

    /** {@code {"items": [...]}} as UTF-8 JSON. */
    public static byte[] write(List<PublishItem> items) {
        Objects.requireNonNull(items, "items");
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = Factory.JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeArrayFieldStart("items");
            for (PublishItem item : items) {
                writeItem(g, Objects.requireNonNull(item, "item"));
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write publish JSON", e);
        }
        return out.toByteArray();
    }

    private static void writeItem(JsonGenerator g, PublishItem item) throws IOException {
        if (item.httpResponse() == null && item.httpStream() == null && item.wsMessage() == null) {
            throw new IllegalArgumentException("publish item for channel '" + item.channel()
                    + "': no format (expected: at least one of http-response, http-stream, ws-message)");
        }
        g.writeStartObject();
        g.writeStringField("channel", item.channel());
        if (item.id() != null) {
            g.writeStringField("id", item.id());
        }
        if (item.prevId() != null) {
            g.writeStringField("prev-id", item.prevId());
        }
        g.writeObjectFieldStart("formats");
        if (item.httpResponse() != null) {
            g.writeObjectFieldStart("http-response");
            httpResponse(g, item.httpResponse());
            g.writeEndObject();
        }
        if (item.httpStream() != null) {
            g.writeObjectFieldStart("http-stream");
            httpStream(g, item.httpStream());
            g.writeEndObject();
        }
        if (item.wsMessage() != null) {
            g.writeObjectFieldStart("ws-message");
            wsMessage(g, item.wsMessage());
            g.writeEndObject();
        }
        g.writeEndObject();
        if (!item.meta().isEmpty()) {
            g.writeObjectFieldStart("meta");
            for (Map.Entry<String, String> e : item.meta().entrySet()) {
                g.writeStringField(e.getKey(), e.getValue());
            }
            g.writeEndObject();
        }
        if (item.noSeq()) {
            g.writeBooleanField("no-seq", true);
        }
        g.writeEndObject();
    }

    private static void httpResponse(JsonGenerator g, HttpResponseFormat f) throws IOException {
        if (f.action() != PublishAction.SEND) {
            g.writeStringField("action", action(f.action()));
            return;
        }
        g.writeNumberField("code", f.code());
        if (!f.reason().isEmpty() && !f.reason().equals(HttpStatusText.of(f.code()))) {
            g.writeStringField("reason", f.reason());
        }
        if (!f.headers().isEmpty()) {
            g.writeArrayFieldStart("headers");
            for (Map.Entry<String, String> h : f.headers()) {
                g.writeStartArray();
                g.writeString(h.getKey());
                g.writeString(h.getValue());
                g.writeEndArray();
            }
            g.writeEndArray();
        }
        if (f.bodyPatch() != null) {
            g.writeFieldName("body-patch");
            g.writeRawValue(f.bodyPatch().toString());
        } else {
            bytes(g, "body", f.body());
        }
        filters(g, f.contentFilters());
    }

    private static void httpStream(JsonGenerator g, HttpStreamFormat f) throws IOException {
        if (f.action() != PublishAction.SEND) {
            g.writeStringField("action", action(f.action()));
            return;
        }
        bytes(g, "content", f.content());
        filters(g, f.contentFilters());
    }

    private static void wsMessage(JsonGenerator g, WsMessageFormat f) throws IOException {
        if (f.action() == PublishAction.CLOSE) {
            g.writeStringField("action", "close");
            if (f.closeCode() >= 0) {
                g.writeNumberField("code", f.closeCode());
            }
            if (!f.closeReason().isEmpty()) {
                g.writeStringField("reason", f.closeReason());
            }
            return;
        }
        if (f.action() != PublishAction.SEND) {
            g.writeStringField("action", action(f.action()));
            return;
        }
        switch (f.type()) {
            case TEXT -> {
                String text = utf8(f.content());
                if (text != null) {
                    g.writeStringField("content", text);
                } else {
                    g.writeStringField("type", "text");
                    g.writeStringField("content-bin", Base64.getEncoder().encodeToString(f.content()));
                }
            }
            case BINARY -> g.writeStringField("content-bin", Base64.getEncoder().encodeToString(f.content()));
            case PING, PONG -> {
                g.writeStringField("type", f.type() == WsMessageType.PING ? "ping" : "pong");
                if (f.content().length > 0) {
                    // the type is explicit, so content-bin does not turn the frame into a binary one
                    g.writeStringField("content-bin", Base64.getEncoder().encodeToString(f.content()));
                }
            }
        }
        filters(g, f.contentFilters());
    }

    private static String action(PublishAction a) {
        return switch (a) {
            case SEND -> "send";
            case HINT -> "hint";
            case CLOSE -> "close";
            case REFRESH -> "refresh";
        };
    }

    private static void filters(JsonGenerator g, List<String> filters) throws IOException {
        if (filters.isEmpty()) {
            return;
        }
        g.writeArrayFieldStart("content-filters");
        for (String f : filters) {
            g.writeString(f);
        }
        g.writeEndArray();
    }

    /** Text as {@code name}, anything that is not UTF-8 as Base64 {@code name-bin}. */
    private static void bytes(JsonGenerator g, String name, byte[] bytes) throws IOException {
        byte[] b = bytes == null ? new byte[0] : bytes;
        String text = utf8(b);
        if (text != null) {
            g.writeStringField(name, text);
        } else {
            g.writeStringField(name + "-bin", Base64.getEncoder().encodeToString(b));
        }
    }

    /** The text when {@code b} is valid UTF-8, else null. */
    static String utf8(byte[] b) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
