package dev.outpost.grip.tnet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.outpost.grip.internal.GripJson;
import dev.outpost.grip.publish.PublishFormatException;
import dev.outpost.grip.publish.PublishItem;
import dev.outpost.grip.publish.PublishParser;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * One message of Pushpin's ZeroMQ publish inputs ({@code handlerengine.cpp}, {@code parseJsonOrTnetstring}): a frame
 * that starts with {@code J} is a JSON object, one that starts with {@code T} (or with neither) is a tnetstring map.
 * Its value is one publish item, read as the publish API reads items ({@link PublishParser#parseItem}); on the SUB
 * input the channel comes from the message's first frame instead of the item.
 *
 * <p>Tnetstring strings are bytes. A {@code body} or {@code content} that is not UTF-8 is carried as its
 * {@code -bin} form (with {@code type: text} kept for a WebSocket message, as Pushpin sends such content as text),
 * and a tnetstring {@code content-bin} holds raw bytes, not Base64, as in Pushpin. Pure functions.
 */
public final class PushMessage {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private PushMessage() {}

    /**
     * The item in {@code frame}; {@code channel} (the SUB input's first frame) replaces the item's own, or null to
     * read it from the item (the PULL input, a command's items). Throws with the reason the frame was refused.
     */
    public static PublishItem item(byte[] frame, String channel) throws PublishFormatException {
        JsonNode node = object(frame);
        if (channel != null) {
            ((ObjectNode) node).put("channel", channel);
        }
        return PublishParser.parseItem(node, "item");
    }

    /** The frame's object as a JSON tree ({@code J} JSON, else a tnetstring map as {@link #toJson} reads it). */
    public static JsonNode object(byte[] frame) throws PublishFormatException {
        if (frame.length > 0 && frame[0] == 'J') {
            JsonNode doc;
            try {
                doc = GripJson.MAPPER.readTree(frame, 1, frame.length - 1);
            } catch (IOException | RuntimeException e) {
                throw new PublishFormatException("received message with invalid format (json parse failed)");
            }
            if (doc == null || !doc.isObject()) {
                throw new PublishFormatException("received message with invalid format (not a valid json object)");
            }
            return doc;
        }
        int offset = frame.length > 0 && frame[0] == 'T' ? 1 : 0;
        Object v;
        try {
            v = TnetString.parse(frame, offset, frame.length - offset);
        } catch (TnetStringException e) {
            throw new PublishFormatException(
                    "received message with invalid format (tnetstring parse failed: " + e.getMessage() + ")");
        }
        if (!(v instanceof Map<?, ?>)) {
            throw new PublishFormatException("received message with invalid format (publish item object is not an"
                    + " object; expected: a tnetstring map)");
        }
        return toJson(v);
    }

    /**
     * A tnetstring value as the JSON that the publish API would take for it: byte strings as UTF-8 text (a
     * {@code body}, {@code content} or {@code content-bin} as described in the class comment), numbers, booleans,
     * null, lists and maps as themselves.
     */
    public static JsonNode toJson(Object v) {
        return switch (v) {
            case null -> NODES.nullNode();
            case byte[] b -> NODES.textNode(new String(b, StandardCharsets.UTF_8));
            case Long n -> NODES.numberNode(n);
            case Double d -> NODES.numberNode(d);
            case Boolean b -> NODES.booleanNode(b);
            case List<?> l -> {
                ArrayNode a = NODES.arrayNode();
                l.forEach(e -> a.add(toJson(e)));
                yield a;
            }
            case Map<?, ?> m -> {
                ObjectNode o = NODES.objectNode();
                boolean binaryContent = false;
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    String k = (String) e.getKey();
                    Object val = e.getValue();
                    if (val instanceof byte[] b && (k.equals("body") || k.equals("content"))) {
                        String text = utf8(b);
                        if (text == null) {
                            o.put(k + "-bin", Base64.getEncoder().encodeToString(b));
                            binaryContent |= k.equals("content");
                        } else {
                            o.put(k, text);
                        }
                    } else if (val instanceof byte[] b && k.equals("content-bin")) {
                        o.put(k, Base64.getEncoder().encodeToString(b));
                    } else {
                        o.set(k, toJson(val));
                    }
                }
                if (binaryContent && !m.containsKey("type") && !m.containsKey("content-bin")) {
                    // a tnetstring 'content' is a text message whatever its bytes; '-bin' alone would make it binary
                    o.put("type", "text");
                }
                yield o;
            }
            default ->
                throw new IllegalArgumentException(
                        "not a tnetstring value: " + v.getClass().getName());
        };
    }

    private static String utf8(byte[] b) {
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
