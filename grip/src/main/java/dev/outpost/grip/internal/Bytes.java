package dev.outpost.grip.internal;

import java.nio.charset.StandardCharsets;

/** Shared helpers for the byte-array fields of grip records. Not API. */
public final class Bytes {
    private Bytes() {}

    /** A readable rendering for {@code toString()}: the UTF-8 text (lossy) and the length. */
    public static String show(byte[] b) {
        if (b == null) {
            return "null";
        }
        String s = new String(b, 0, Math.min(b.length, 64), StandardCharsets.UTF_8);
        return "\"" + s + (b.length > 64 ? "…" : "") + "\"(" + b.length + " bytes)";
    }
}
