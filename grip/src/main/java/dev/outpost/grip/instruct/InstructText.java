package dev.outpost.grip.instruct;

import com.fasterxml.jackson.databind.JsonNode;

/** Values as the instruction parser's error messages show them: quoted, control characters escaped, cut at 80. */
final class InstructText {

    private InstructText() {}

    /** A JSON value described for an error message: the type, and the value when short. */
    static String kind(JsonNode n) {
        if (n == null || n.isMissingNode()) {
            return "empty";
        }
        if (n.isObject()) {
            return "an object";
        }
        if (n.isArray()) {
            return "an array";
        }
        return abbreviate(n.toString());
    }

    static String show(String v) {
        return "\"" + abbreviate(v) + "\"";
    }

    static String abbreviate(String v) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < v.length() && i < 80; i++) {
            char c = v.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                sb.append(String.format("\\x%02x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return v.length() > 80 ? sb + "..." : sb.toString();
    }
}
