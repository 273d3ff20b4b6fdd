package dev.outpost.grip.publish;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.outpost.grip.internal.GripJson;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * JSON Patch (RFC 6902) as {@code http-response} {@code body-patch} uses it: the patch is applied to the held
 * response body. All six operations; a failing operation fails the whole patch. Pure function of its inputs.
 *
 * <p>A few bytes of patch could otherwise grow the body without bound ({@code copy} of the root into itself doubles
 * it each time): the values one patch inserts ({@code add}, {@code replace}, {@code copy}, {@code move}) may weigh
 * at most {@link #MAX_INSERTED} in total, and the result may nest at most {@link #MAX_DEPTH} deep, as deep as the
 * JSON reader accepts.
 */
public final class JsonPatch {
    /**
     * Most a patch may insert, counted about as its JSON text: a string or field name by its length plus 2, a number
     * by its digits, any other value 1 (plus its contents).
     */
    public static final long MAX_INSERTED = 4L << 20;
    /** Deepest nesting of the patched document (objects and arrays), as {@link GripJson#MAPPER} reads. */
    public static final int MAX_DEPTH = 100;

    /** The patch could not be applied; the message names the operation and why. */
    public static final class PatchException extends Exception {
        public PatchException(String message) {
            super(message);
        }
    }

    private JsonPatch() {}

    /** Applies {@code patch} (a JSON array) to the JSON document {@code body}; returns the new document, compact. */
    public static byte[] apply(byte[] body, JsonNode patch) throws PatchException {
        JsonNode doc;
        try {
            doc = GripJson.MAPPER.readTree(body == null ? new byte[0] : body);
        } catch (IOException e) {
            throw new PatchException("body-patch: held body is not JSON" + GripJson.where(e));
        }
        if (doc == null || doc.isMissingNode()) {
            throw new PatchException("body-patch: held body is empty (expected: a JSON document)");
        }
        JsonNode out = apply(doc, patch);
        try {
            return GripJson.MAPPER.writeValueAsBytes(out);
        } catch (IOException e) {
            throw new PatchException("body-patch: " + e.getMessage());
        }
    }

    /** Applies {@code patch} to a copy of {@code doc}. */
    public static JsonNode apply(JsonNode doc, JsonNode patch) throws PatchException {
        if (patch == null || !patch.isArray()) {
            throw new PatchException("body-patch: " + patch + " (expected: an array of operations)");
        }
        JsonNode root = doc.deepCopy();
        long[] budget = {MAX_INSERTED};
        int i = 0;
        for (JsonNode op : patch) {
            try {
                root = applyOne(root, op, budget);
            } catch (PatchException e) {
                throw new PatchException("body-patch[" + i + "]: " + e.getMessage());
            }
            i++;
        }
        return root;
    }

    private static JsonNode applyOne(JsonNode root, JsonNode op, long[] budget) throws PatchException {
        if (!op.isObject()) {
            throw new PatchException(op + " (expected: an object)");
        }
        String name = text(op, "op");
        List<String> path = pointer(text(op, "path"));
        switch (name) {
            case "add" -> {
                return add(root, path, value(op), budget);
            }
            case "remove" -> {
                remove(root, path);
                return path.isEmpty() ? MissingNode.getInstance() : root;
            }
            case "replace" -> {
                get(root, path);
                if (path.isEmpty()) {
                    return add(root, path, value(op), budget);
                }
                remove(root, path);
                return add(root, path, value(op), budget);
            }
            case "move" -> {
                List<String> from = pointer(text(op, "from"));
                if (path.size() > from.size() && path.subList(0, from.size()).equals(from)) {
                    throw new PatchException(
                            "'from' " + from + " is a prefix of 'path' (a value can't move into itself)");
                }
                JsonNode v = get(root, from);
                remove(root, from);
                return add(root, path, v, budget);
            }
            case "copy" -> {
                JsonNode v = get(root, pointer(text(op, "from")));
                return add(root, path, v, budget);
            }
            case "test" -> {
                if (!get(root, path).equals(value(op))) {
                    throw new PatchException("test failed at " + text(op, "path"));
                }
                return root;
            }
            default ->
                throw new PatchException("op '" + name + "' (expected: add, remove, replace, move, copy or test)");
        }
    }

    private static String text(JsonNode op, String field) throws PatchException {
        JsonNode n = op.get(field);
        if (n == null || !n.isTextual()) {
            throw new PatchException("'" + field + "' missing or not a string");
        }
        return n.asText();
    }

    private static JsonNode value(JsonNode op) throws PatchException {
        JsonNode v = op.get("value");
        if (v == null) {
            throw new PatchException("'value' missing");
        }
        return v;
    }

    /** RFC 6901 tokens of a JSON Pointer. */
    static List<String> pointer(String p) throws PatchException {
        List<String> out = new ArrayList<>();
        if (p.isEmpty()) {
            return out;
        }
        if (p.charAt(0) != '/') {
            throw new PatchException("pointer '" + p + "' (expected: empty or starting with '/')");
        }
        for (String t : p.substring(1).split("/", -1)) {
            out.add(t.replace("~1", "/").replace("~0", "~"));
        }
        return out;
    }

    private static JsonNode get(JsonNode root, List<String> path) throws PatchException {
        JsonNode n = root;
        for (String t : path) {
            if (n.isObject()) {
                n = n.get(t);
            } else if (n.isArray()) {
                n = n.get(index(t, n.size() - 1));
            } else {
                n = null;
            }
            if (n == null) {
                throw new PatchException("path " + path + " does not exist");
            }
        }
        return n;
    }

    private static JsonNode add(JsonNode root, List<String> path, JsonNode value, long[] budget) throws PatchException {
        spend(value, path.size(), budget);
        if (path.isEmpty()) {
            return value.deepCopy();
        }
        JsonNode parent = get(root, path.subList(0, path.size() - 1));
        String last = path.get(path.size() - 1);
        if (parent instanceof ObjectNode o) {
            o.set(last, value.deepCopy());
        } else if (parent instanceof ArrayNode a) {
            if (last.equals("-")) {
                a.add(value.deepCopy());
            } else {
                a.insert(index(last, a.size()), value.deepCopy());
            }
        } else {
            throw new PatchException("parent of " + path + " is not a container");
        }
        return root;
    }

    /** Charges inserting {@code value} at {@code depth} to the patch's budget, before anything is copied. */
    private static void spend(JsonNode value, int depth, long[] budget) throws PatchException {
        long left = weigh(value, depth, budget[0]);
        if (left < 0) {
            throw new PatchException("the patched document would exceed " + MAX_INSERTED + " inserted bytes or "
                    + MAX_DEPTH + " levels of nesting (a copy or move of too large a value?)");
        }
        budget[0] = left;
    }

    /** {@code left} minus the weight of {@code n}, or -1 once below zero or nested deeper than allowed. */
    private static long weigh(JsonNode n, int depth, long left) {
        if (n.isContainerNode() && depth + 1 > MAX_DEPTH) {
            return -1;
        }
        left -= n.isTextual()
                ? n.textValue().length() + 2L
                : n.isNumber() ? n.asText().length() : 1;
        if (n.isObject()) {
            for (var e : n.properties()) {
                if (left < 0) {
                    return -1;
                }
                left = weigh(e.getValue(), depth + 1, left - e.getKey().length() - 2L);
            }
        } else if (n.isArray()) {
            for (JsonNode c : n) {
                if (left < 0) {
                    return -1;
                }
                left = weigh(c, depth + 1, left);
            }
        }
        return left < 0 ? -1 : left;
    }

    private static void remove(JsonNode root, List<String> path) throws PatchException {
        if (path.isEmpty()) {
            return;
        }
        JsonNode parent = get(root, path.subList(0, path.size() - 1));
        String last = path.get(path.size() - 1);
        if (parent instanceof ObjectNode o) {
            if (o.remove(last) == null) {
                throw new PatchException("path " + path + " does not exist");
            }
        } else if (parent instanceof ArrayNode a) {
            a.remove(index(last, a.size() - 1));
        } else {
            throw new PatchException("parent of " + path + " is not a container");
        }
    }

    private static int index(String token, int max) throws PatchException {
        if (token.isEmpty()
                || token.length() > 9
                || !token.chars().allMatch(c -> c >= '0' && c <= '9')
                || (token.length() > 1 && token.charAt(0) == '0')) {
            throw new PatchException("array index '" + token + "' (expected: a non-negative integer)");
        }
        int i = Integer.parseInt(token);
        if (i > max) {
            throw new PatchException("array index " + i + " out of range (at most " + max + ")");
        }
        return i;
    }
}
