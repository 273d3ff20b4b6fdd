package dev.outpost.grip.fuzz;

import java.nio.charset.StandardCharsets;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns fuzz bytes into the arguments of parsers that take more than one byte string. The framing is plain text so
 * seed files can be written by hand: a head of lines ({@code NAME: value}), a blank line, then the body.
 */
final class Inputs {
    private Inputs() {}

    /** A response or request as an origin or proxy sees it: the first line, headers, body. */
    record Message(String firstLine, List<Map.Entry<String, String>> headers, byte[] body) {}

    /**
     * {@code FIRST\nName: value\n...\n\nBODY}; CRLF or LF. Header values are kept one char per byte (ISO-8859-1),
     * as Netty's HTTP codec hands them over. Lines without a colon are headers with an empty name.
     */
    static Message message(byte[] data) {
        int headEnd = indexOf(data, new byte[] {'\n', '\n'});
        int crlfEnd = indexOf(data, new byte[] {'\r', '\n', '\r', '\n'});
        int bodyStart;
        if (crlfEnd >= 0 && (headEnd < 0 || crlfEnd < headEnd)) {
            headEnd = crlfEnd;
            bodyStart = crlfEnd + 4;
        } else if (headEnd >= 0) {
            bodyStart = headEnd + 2;
        } else {
            headEnd = data.length;
            bodyStart = data.length;
        }
        String head = new String(data, 0, headEnd, StandardCharsets.ISO_8859_1);
        String[] lines = head.split("\r?\n", -1);
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            String name = colon < 0 ? "" : lines[i].substring(0, colon).trim();
            String value = colon < 0 ? lines[i] : lines[i].substring(colon + 1).trim();
            headers.add(new AbstractMap.SimpleImmutableEntry<>(name, value));
        }
        byte[] body = new byte[data.length - bodyStart];
        System.arraycopy(data, bodyStart, body, 0, body.length);
        return new Message(lines[0], headers, body);
    }

    /** The bytes before the first NUL, and those after it (empty when there is no NUL). */
    static byte[][] splitAtNul(byte[] data) {
        int nul = indexOf(data, new byte[] {0});
        if (nul < 0) {
            return new byte[][] {data, new byte[0]};
        }
        byte[] a = new byte[nul];
        byte[] b = new byte[data.length - nul - 1];
        System.arraycopy(data, 0, a, 0, a.length);
        System.arraycopy(data, nul + 1, b, 0, b.length);
        return new byte[][] {a, b};
    }

    static int indexOf(byte[] data, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= data.length; i++) {
            for (int k = 0; k < needle.length; k++) {
                if (data[i + k] != needle[k]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
