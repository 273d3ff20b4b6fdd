package dev.outpost.grip.tnet;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Tnetstrings as Pushpin's ZeroMQ sockets carry them ({@code SIZE:DATA} and one type character): {@code ,} bytes,
 * {@code #} integer, {@code ^} float, {@code !} boolean, {@code ~} null, {@code ]} list, <code>}</code> map (keys are
 * byte strings, read as UTF-8).
 *
 * <p>Values are plain Java objects: {@code byte[]}, {@link Long}, {@link Double}, {@link Boolean}, {@code null},
 * {@link List} and {@link Map} with {@link String} keys (in wire order). {@link #write} also takes {@link String} (as
 * UTF-8 bytes) and {@link Integer}. Pure functions; nesting deeper than {@value #MAX_DEPTH} is refused so that no input
 * can exhaust the stack.
 */
public final class TnetString {
    /** Lists and maps nested deeper than this are refused. */
    public static final int MAX_DEPTH = 64;

    private TnetString() {}

    /** The one value that {@code bytes} holds from start to end. */
    public static Object parse(byte[] bytes) throws TnetStringException {
        return parse(bytes, 0, bytes.length);
    }

    /**
     * The one value in {@code bytes[offset, offset + length)}. Unlike Pushpin, which ignores what follows the value,
     * bytes after it are refused: they mean the message is not what its sender meant.
     */
    public static Object parse(byte[] bytes, int offset, int length) throws TnetStringException {
        if (offset < 0 || length < 0 || offset + length > bytes.length) {
            throw new IndexOutOfBoundsException("offset " + offset + ", length " + length + " of " + bytes.length);
        }
        Reader r = new Reader(bytes, offset);
        int end = offset + length;
        Object v = r.value(end, 0);
        if (r.at != end) {
            throw new TnetStringException("unexpected bytes after the value at offset " + (r.at - offset) + " ("
                    + (end - r.at) + " bytes; expected: one tnetstring)");
        }
        return v;
    }

    /** The tnetstring of {@code value} (see the class comment for the types taken). */
    public static byte[] write(Object value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64);
        write(out, value, 0);
        return out.toByteArray();
    }

    private static void write(ByteArrayOutputStream out, Object v, int depth) {
        if (depth > MAX_DEPTH) {
            throw new IllegalArgumentException("nested deeper than " + MAX_DEPTH);
        }
        switch (v) {
            case null -> out.writeBytes("0:~".getBytes(StandardCharsets.US_ASCII));
            case byte[] b -> framed(out, b, ',');
            case String s -> framed(out, s.getBytes(StandardCharsets.UTF_8), ',');
            case Boolean b -> framed(out, b.toString().getBytes(StandardCharsets.US_ASCII), '!');
            case Long n -> framed(out, n.toString().getBytes(StandardCharsets.US_ASCII), '#');
            case Integer n -> framed(out, n.toString().getBytes(StandardCharsets.US_ASCII), '#');
            case Double d -> {
                if (d.isNaN() || d.isInfinite()) {
                    throw new IllegalArgumentException("float " + d + " has no tnetstring form");
                }
                framed(out, d.toString().getBytes(StandardCharsets.US_ASCII), '^');
            }
            case List<?> l -> {
                ByteArrayOutputStream inner = new ByteArrayOutputStream();
                for (Object e : l) {
                    write(inner, e, depth + 1);
                }
                framed(out, inner.toByteArray(), ']');
            }
            case Map<?, ?> m -> {
                ByteArrayOutputStream inner = new ByteArrayOutputStream();
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    if (!(e.getKey() instanceof String k)) {
                        throw new IllegalArgumentException("map key " + e.getKey() + " is not a String");
                    }
                    framed(inner, k.getBytes(StandardCharsets.UTF_8), ',');
                    write(inner, e.getValue(), depth + 1);
                }
                framed(out, inner.toByteArray(), '}');
            }
            default ->
                throw new IllegalArgumentException(
                        "no tnetstring form for " + v.getClass().getName());
        }
    }

    private static void framed(ByteArrayOutputStream out, byte[] data, char type) {
        out.writeBytes(Integer.toString(data.length).getBytes(StandardCharsets.US_ASCII));
        out.write(':');
        out.writeBytes(data);
        out.write(type);
    }

    /** A cursor over the input; offsets in messages count from where parsing began. */
    private static final class Reader {
        private final byte[] b;
        private final int base;
        int at;

        Reader(byte[] b, int at) {
            this.b = b;
            this.base = at;
            this.at = at;
        }

        private TnetStringException bad(int where, String what) {
            return new TnetStringException(what + " at offset " + (where - base));
        }

        Object value(int end, int depth) throws TnetStringException {
            if (depth > MAX_DEPTH) {
                throw bad(at, "nested deeper than " + MAX_DEPTH);
            }
            int start = at;
            long size = 0;
            int digits = 0;
            while (at < end && b[at] != ':') {
                int c = b[at] - '0';
                if (c < 0 || c > 9 || digits >= 10) {
                    throw bad(start, "bad size (expected: up to 10 decimal digits and ':')");
                }
                size = size * 10 + c;
                digits++;
                at++;
            }
            if (at >= end || digits == 0) {
                throw bad(start, "missing size (expected: decimal digits and ':')");
            }
            int data = at + 1;
            if (size > end - data - 1) {
                throw bad(start, "size " + size + " runs past the end (" + Math.max(0, end - data) + " bytes left)");
            }
            int dataEnd = data + (int) size;
            byte type = b[dataEnd];
            at = dataEnd + 1;
            return switch (type) {
                case ',' -> Arrays.copyOfRange(b, data, dataEnd);
                case '#' -> integer(data, dataEnd, start);
                case '^' -> real(data, dataEnd, start);
                case '!' -> bool(data, dataEnd, start);
                case '~' -> {
                    if (size != 0) {
                        throw bad(start, "null with data (expected: 0:~)");
                    }
                    yield null;
                }
                case ']' -> list(data, dataEnd, depth);
                case '}' -> map(data, dataEnd, depth);
                default ->
                    throw bad(dataEnd, "unknown type '" + (char) (type & 0xff) + "' (expected one of , # ^ ! ~ ] })");
            };
        }

        private Long integer(int from, int to, int start) throws TnetStringException {
            String s = new String(b, from, to - from, StandardCharsets.US_ASCII);
            if (!s.matches("[+-]?[0-9]{1,19}")) {
                throw bad(start, "bad integer '" + s + "'");
            }
            try {
                return Long.parseLong(s);
            } catch (NumberFormatException e) {
                throw bad(start, "integer out of range '" + s + "'");
            }
        }

        private Double real(int from, int to, int start) throws TnetStringException {
            String s = new String(b, from, to - from, StandardCharsets.US_ASCII);
            if (!s.matches("[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?")) {
                throw bad(start, "bad float '" + s + "'");
            }
            return Double.parseDouble(s);
        }

        private Boolean bool(int from, int to, int start) throws TnetStringException {
            String s = new String(b, from, to - from, StandardCharsets.US_ASCII);
            return switch (s) {
                case "true" -> Boolean.TRUE;
                case "false" -> Boolean.FALSE;
                default -> throw bad(start, "bad boolean '" + s + "' (expected: true or false)");
            };
        }

        private List<Object> list(int from, int to, int depth) throws TnetStringException {
            List<Object> out = new ArrayList<>();
            at = from;
            while (at < to) {
                out.add(value(to, depth + 1));
            }
            at = to + 1;
            return Collections.unmodifiableList(out);
        }

        private Map<String, Object> map(int from, int to, int depth) throws TnetStringException {
            Map<String, Object> out = new LinkedHashMap<>();
            at = from;
            while (at < to) {
                int keyAt = at;
                Object k = value(to, depth + 1);
                if (!(k instanceof byte[] key)) {
                    throw bad(keyAt, "map key is not a byte string");
                }
                if (at >= to) {
                    throw bad(keyAt, "map key without a value");
                }
                out.put(new String(key, StandardCharsets.UTF_8), value(to, depth + 1));
            }
            at = to + 1;
            return Collections.unmodifiableMap(out);
        }
    }
}
