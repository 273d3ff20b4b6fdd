package dev.outpost.grip.publish;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.outpost.grip.internal.GripJson;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * JSON Patch (RFC 6902) as {@code http-response} {@code body-patch} uses it: the patch is applied to the held
 * response body. All six operations; a failing operation fails the whole patch. Pure function of its inputs.
 */
public final class JsonPatch {

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
        int i = 0;
        for (JsonNode op : patch) {
            try {
                root = applyOne(root, op);
            } catch (PatchException e) {
                throw new PatchException("body-patch[" + i + "]: " + e.getMessage());
            }
            i++;
        }
        return root;
    }

    private static JsonNode applyOne(JsonNode root, JsonNode op) throws PatchException {
        if (!op.isObject()) {
            throw new PatchException(op + " (expected: an object)");
        }
        String name = text(op, "op");
        List<String> path = pointer(text(op, "path"));
        switch (name) {
            case "add" -> {
                return add(root, path, value(op));
            }
            case "remove" -> {
                remove(root, path);
                return path.isEmpty() ? com.fasterxml.jackson.databind.node.MissingNode.getInstance() : root;
            }
            case "replace" -> {
                get(root, path);
                if (path.isEmpty()) {
                    return value(op).deepCopy();
                }
                remove(root, path);
                return add(root, path, value(op));
            }
            case "move" -> {
                List<String> from = pointer(text(op, "from"));
                if (path.size() > from.size() && path.subList(0, from.size()).equals(from)) {
                    throw new PatchException(
                            "'from' " + from + " is a prefix of 'path' (a value can't move into itself)");
                }
                JsonNode v = get(root, from);
                remove(root, from);
                return add(root, path, v);
            }
            case "copy" -> {
                JsonNode v = get(root, pointer(text(op, "from"))).deepCopy();
                return add(root, path, v);
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

    private static JsonNode add(JsonNode root, List<String> path, JsonNode value) throws PatchException {
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
