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
