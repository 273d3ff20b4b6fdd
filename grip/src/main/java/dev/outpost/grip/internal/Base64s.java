package dev.outpost.grip.internal;

import java.util.Base64;

/** Base64 as publishers write it. Not API. */
public final class Base64s {
    private Base64s() {}

    /**
     * Decodes standard or URL-safe Base64, padded or not, ignoring whitespace and line breaks.
     * Returns {@code null} for anything else.
     */
    public static byte[] decode(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        boolean urlSafe = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
                continue;
            }
            if (c == '-' || c == '_') {
                urlSafe = true;
            }
            sb.append(c);
        }
        try {
            return (urlSafe ? Base64.getUrlDecoder() : Base64.getDecoder()).decode(sb.toString());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
