package dev.outpost.grip.internal;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Header values reach the parsers either as HTTP codecs deliver them (one char per wire byte, ISO-8859-1) or as
 * ordinary Unicode text. Pushpin reads header bytes as UTF-8; these helpers give the same result for both. Not API.
 */
public final class HeaderText {
    private HeaderText() {}

    /** The value as text: a one-char-per-byte string holding valid UTF-8 is decoded, anything else is kept. */
    public static String text(String value) {
        if (!isByteString(value) || isAscii(value)) {
            return value;
        }
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(value.getBytes(StandardCharsets.ISO_8859_1)))
                    .toString();
        } catch (CharacterCodingException e) {
            return value;
        }
    }

    /** The value as bytes: the wire bytes for a one-char-per-byte string, else its UTF-8 encoding. */
    public static byte[] bytes(String value) {
        return isByteString(value)
                ? value.getBytes(StandardCharsets.ISO_8859_1)
                : value.getBytes(StandardCharsets.UTF_8);
    }

    /** Whether {@code name} is an HTTP field name: one or more token characters (RFC 9110 §5.1, §5.6.2). */
    public static boolean isFieldName(String name) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean token = (c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!token) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether {@code value} can go on the wire as a field value or reason phrase: no control character but tab
     * (RFC 9110 §5.5). A CR or LF would end the header early and the rest would be read as another one.
     */
    public static boolean isFieldValue(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if ((c < 0x20 && c != '\t') || c == 0x7f) {
                return false;
            }
        }
        return true;
    }

    private static boolean isByteString(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) > 0xff) {
                return false;
            }
        }
        return true;
    }

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) > 0x7f) {
                return false;
            }
        }
        return true;
    }
}
