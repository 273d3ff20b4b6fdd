package dev.outpost.cli.publish;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.outpost.grip.HttpStatusText;
import dev.outpost.grip.publish.HttpResponseFormat;
import dev.outpost.grip.publish.HttpStreamFormat;
import dev.outpost.grip.publish.PublishAction;
import dev.outpost.grip.publish.PublishItem;
import dev.outpost.grip.publish.PublishWriter;
import dev.outpost.grip.publish.WsMessageFormat;
import dev.outpost.grip.publish.WsMessageType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Turns {@code outpost publish}'s options into one {@link PublishItem}, as {@code pushpin-publish} composes it: the
 * content goes to {@code http-response} (with code and headers), {@code http-stream} and {@code ws-message}; a hint
 * goes to all three; a close to the two streaming formats; a JSON patch to {@code http-response} only. The JSON is
 * the kit's ({@link PublishWriter}). Pure functions.
 */
public final class PublishBody {
    /** For {@code --patch} only: a plain publish never builds an ObjectMapper (it costs start-up time). */
    private static final class Patches {
        static final ObjectMapper JSON = new ObjectMapper();
    }

    private PublishBody() {}

    /** Where a publish goes. {@link #SSE} is {@code http-stream} content framed as one Server-Sent Event. */
    public enum Format {
        HTTP_RESPONSE("http-response"),
        HTTP_STREAM("http-stream"),
        WS_MESSAGE("ws-message"),
        SSE("sse");

        private final String label;

        Format(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }

        /** Accepts one name, case-insensitive. */
        public static Format parse(String name) {
            String n = name.trim().toLowerCase(Locale.ROOT);
            for (Format f : values()) {
                if (f.label.equals(n)) {
                    return f;
                }
            }
            throw new IllegalArgumentException(
                    "--format '" + name + "' (expected: http-response, http-stream, ws-message or sse)");
        }
    }

    /** What the item asks of the receivers. */
    public enum Action {
        SEND,
        HINT,
        CLOSE
    }

    /**
     * One item's inputs.
     *
     * @param channel channel name, not empty
     * @param id payload id or null
     * @param prevId previous payload id or null
     * @param meta meta variables in order (the sender first), may be empty
     * @param noSeq bypass the sequencing buffer
     * @param action send, hint or close
     * @param formats formats to include; empty means the default set for the action
     * @param code http-response status (send only)
     * @param headers http-response headers (send only)
     * @param httpContent body for HTTP formats (send without patch)
     * @param wsContent WebSocket message and the data of an SSE event (send without patch)
     * @param patch JSON patch operations for http-response (send only), or null
     */
    public record Item(
            String channel,
            String id,
            String prevId,
            Map<String, String> meta,
            boolean noSeq,
            Action action,
            Set<Format> formats,
            int code,
            List<Map.Entry<String, String>> headers,
            byte[] httpContent,
            byte[] wsContent,
            JsonNode patch) {
        public Item {
            Objects.requireNonNull(channel, "channel");
            Objects.requireNonNull(action, "action");
            meta = meta == null ? Map.of() : new LinkedHashMap<>(meta);
            formats = formats == null || formats.isEmpty() ? EnumSet.noneOf(Format.class) : EnumSet.copyOf(formats);
            headers = headers == null ? List.of() : List.copyOf(headers);
        }
    }

    /**
     * The formats an item goes out in: the requested ones, or by default what {@code pushpin-publish} sends.
     *
     * @throws IllegalArgumentException when the request contradicts itself (e.g. {@code --close} with only
     *     {@code http-response})
     */
    public static Set<Format> effectiveFormats(Item item) {
        Set<Format> requested = item.formats();
        if (requested.contains(Format.SSE) && requested.contains(Format.HTTP_STREAM)) {
            throw new IllegalArgumentException(
                    "--format: sse and http-stream both fill http-stream (expected: one of them)");
        }
        if (requested.isEmpty()) {
            return switch (item.action()) {
                case CLOSE -> EnumSet.of(Format.HTTP_STREAM, Format.WS_MESSAGE);
                case SEND ->
                    item.patch() != null
                            ? EnumSet.of(Format.HTTP_RESPONSE)
                            : EnumSet.of(Format.HTTP_RESPONSE, Format.HTTP_STREAM, Format.WS_MESSAGE);
                case HINT -> EnumSet.of(Format.HTTP_RESPONSE, Format.HTTP_STREAM, Format.WS_MESSAGE);
            };
        }
        if (item.action() == Action.CLOSE && requested.contains(Format.HTTP_RESPONSE)) {
            throw new IllegalArgumentException(
                    "--close with --format http-response: a response cannot be closed (expected: http-stream, "
                            + "ws-message or sse)");
        }
        if (item.action() == Action.SEND
                && item.patch() != null
                && !requested.equals(EnumSet.of(Format.HTTP_RESPONSE))) {
            throw new IllegalArgumentException(
                    "--patch applies to http-response only (expected: no --format, or --format http-response)");
        }
        return EnumSet.copyOf(requested);
    }

    /** {@code {"items": [item]}} as UTF-8 JSON. */
    public static byte[] toJson(Item item) {
        return PublishWriter.write(List.of(toPublishItem(item)));
    }

    /** The item as the kit's {@link PublishItem}, in the formats {@link #effectiveFormats} names. */
    public static PublishItem toPublishItem(Item item) {
        Set<Format> formats = effectiveFormats(item);
        HttpResponseFormat response = null;
        HttpStreamFormat stream = null;
        WsMessageFormat ws = null;
        for (Format format : formats) {
            switch (item.action()) {
                case HINT -> {
                    switch (format) {
                        case HTTP_RESPONSE -> response = HttpResponseFormat.hint();
                        case HTTP_STREAM, SSE -> stream = HttpStreamFormat.hint();
                        case WS_MESSAGE ->
                            ws = new WsMessageFormat(PublishAction.HINT, WsMessageType.TEXT, null, -1, "", List.of());
                    }
                }
                case CLOSE -> {
                    switch (format) {
                        case HTTP_STREAM, SSE -> stream = HttpStreamFormat.close();
                        case WS_MESSAGE -> ws = WsMessageFormat.close();
                        case HTTP_RESPONSE -> throw new IllegalStateException("checked by effectiveFormats");
                    }
                }
                case SEND -> {
                    switch (format) {
                        case HTTP_RESPONSE ->
                            response = new HttpResponseFormat(
                                    PublishAction.SEND,
                                    item.code(),
                                    HttpStatusText.of(item.code()),
                                    item.headers(),
                                    item.patch() != null ? null : bytes(item.httpContent()),
                                    item.patch(),
                                    List.of());
                        case HTTP_STREAM ->
                            stream = new HttpStreamFormat(PublishAction.SEND, bytes(item.httpContent()), List.of());
                        case SSE ->
                            stream = new HttpStreamFormat(PublishAction.SEND, sseEvent(item.wsContent()), List.of());
                        case WS_MESSAGE -> {
                            byte[] content = bytes(item.wsContent());
                            // bytes that are not text go out as a binary frame, as pushpin-publish sends them
                            ws = isUtf8(content)
                                    ? WsMessageFormat.text(new String(content, StandardCharsets.UTF_8))
                                    : WsMessageFormat.binary(content);
                        }
                    }
                }
            }
        }
        return new PublishItem(
                item.channel(),
                item.id() == null || item.id().isEmpty() ? null : item.id(),
                item.prevId() == null || item.prevId().isEmpty() ? null : item.prevId(),
                item.meta(),
                response,
                stream,
                ws,
                item.noSeq());
    }

    private static byte[] bytes(byte[] b) {
        return b == null ? new byte[0] : b;
    }

    private static boolean isUtf8(byte[] b) {
        try {
            StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    /**
     * One Server-Sent Event carrying {@code data}: a {@code data:} line per line of it (LF, CRLF or CR), then a blank
     * line. A single trailing line break is a terminator, not an empty last line.
     */
    public static byte[] sseEvent(byte[] data) {
        String text = new String(data == null ? new byte[0] : data, StandardCharsets.UTF_8);
        List<String> lines = new ArrayList<>(List.of(text.split("\r\n|\r|\n", -1)));
        if (lines.size() > 1 && lines.get(lines.size() - 1).isEmpty()) {
            lines.remove(lines.size() - 1);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String line : lines) {
            out.writeBytes(("data: " + line + "\n").getBytes(StandardCharsets.UTF_8));
        }
        out.write('\n');
        return out.toByteArray();
    }

    /**
     * {@code -H "Name: Value"}: the name up to the first colon, the value trimmed.
     *
     * @throws IllegalArgumentException without a colon or with an empty or invalid name
     */
    public static Map.Entry<String, String> parseHeader(String spec) {
        int colon = spec.indexOf(':');
        String name = colon < 0 ? "" : spec.substring(0, colon).trim();
        if (colon < 0 || name.isEmpty() || !isToken(name)) {
            throw new IllegalArgumentException("-H '" + spec + "' (expected: \"NAME: VALUE\" with a header name)");
        }
        return Map.entry(name, spec.substring(colon + 1).trim());
    }

    /**
     * {@code -M "name=value"}: the name up to the first '=', the value trimmed.
     *
     * @throws IllegalArgumentException without '=' or with an empty name
     */
    public static Map.Entry<String, String> parseMeta(String spec) {
        int eq = spec.indexOf('=');
        String name = eq < 0 ? "" : spec.substring(0, eq).trim();
        if (eq < 0 || name.isEmpty()) {
            throw new IllegalArgumentException("-M '" + spec + "' (expected: \"NAME=VALUE\")");
        }
        return Map.entry(name, spec.substring(eq + 1).trim());
    }

    /**
     * {@code --patch} content: a JSON array of patch operations.
     *
     * @throws IllegalArgumentException when it is not JSON or not an array of objects with {@code op} and
     *     {@code path}
     */
    public static JsonNode parsePatch(byte[] content) {
        JsonNode node;
        try {
            node = Patches.JSON.readTree(content);
        } catch (IOException e) {
            throw new IllegalArgumentException("--patch: content is not JSON: "
                    + e.getMessage().lines().findFirst().orElse("") + " (expected: a JSON array of patch operations)");
        }
        if (node == null || !node.isArray()) {
            throw new IllegalArgumentException("--patch: content is "
                    + (node == null || node.isMissingNode()
                            ? "empty"
                            : "a JSON " + node.getNodeType().name().toLowerCase(Locale.ROOT))
                    + " (expected: a JSON array of patch operations)");
        }
        for (int i = 0; i < node.size(); i++) {
            JsonNode op = node.get(i);
            if (!op.isObject() || !op.path("op").isTextual() || !op.path("path").isTextual()) {
                throw new IllegalArgumentException("--patch: operation #" + (i + 1) + " " + op
                        + " (expected: an object with string \"op\" and \"path\")");
            }
        }
        return node;
    }

    private static boolean isToken(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
