package dev.outpost.grip.wsovh;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code application/websocket-events} body: a sequence of {@code TYPE\r\n} or
 * {@code TYPE HEXLEN\r\nCONTENT\r\n} events.
 */
public final class WsEventCodec {
    public static final String CONTENT_TYPE = "application/websocket-events";

    // an event type line never needs more; guards against scanning a huge junk body for CRLF
    private static final int MAX_TYPE_LINE = 64;

    private WsEventCodec() {}

    /**
     * Encodes events as Pushpin does: text and binary always carry a length, ping and pong only when non-empty,
     * close only when it has a code; lengths in lowercase hex.
     */
    public static byte[] encode(List<WsEvent> events) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (WsEvent e : events) {
            byte[] content = switch (e) {
                case WsEvent.Open o -> null;
                case WsEvent.Disconnect d -> null;
                case WsEvent.Text t -> t.content();
                case WsEvent.Binary b -> b.content();
                case WsEvent.Ping p -> p.content().length == 0 ? null : p.content();
                case WsEvent.Pong p -> p.content().length == 0 ? null : p.content();
                case WsEvent.Close c -> c.code() < 0 ? null : closeContent(c);
            };
            out.writeBytes(e.type().getBytes(StandardCharsets.US_ASCII));
            if (content != null) {
                out.writeBytes(
                        (" " + Integer.toHexString(content.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.writeBytes(content);
            }
            out.writeBytes(CRLF);
        }
        return out.toByteArray();
    }

    private static final byte[] CRLF = {'\r', '\n'};

    private static byte[] closeContent(WsEvent.Close c) {
        byte[] reason = c.reason().getBytes(StandardCharsets.UTF_8);
        byte[] b = new byte[2 + reason.length];
        b[0] = (byte) (c.code() >> 8);
        b[1] = (byte) c.code();
        System.arraycopy(reason, 0, b, 2, reason.length);
        return b;
    }

    /**
     * Decodes a body. Hex lengths may use either case. Event types this codec does not know are skipped, as
     * Pushpin does; the final CRLF after the last content may be missing.
     *
     * @throws WsEventException naming the byte offset and the problem
     */
    public static List<WsEvent> decode(byte[] body) throws WsEventException {
        List<WsEvent> out = new ArrayList<>();
        int pos = 0;
        while (pos < body.length) {
            int eol = indexOfCrlf(body, pos, Math.min(body.length, pos + MAX_TYPE_LINE + 2));
            if (eol < 0) {
                throw new WsEventException("event at offset " + pos + ": type line not terminated by CRLF"
                        + " (expected: TYPE or TYPE HEXLEN followed by CRLF)");
            }
            String line = new String(body, pos, eol - pos, StandardCharsets.ISO_8859_1);
            int lineStart = pos;
            pos = eol + 2;
            int sp = line.indexOf(' ');
            String type = sp < 0 ? line : line.substring(0, sp);
            if (!validType(type)) {
                throw new WsEventException("event at offset " + lineStart + ": invalid type '" + printable(type)
                        + "' (expected: OPEN, TEXT, BINARY, PING, PONG, CLOSE or DISCONNECT)");
            }
            byte[] content = null;
            if (sp >= 0) {
                String hex = line.substring(sp + 1);
                int len = parseHex(hex);
                if (len < 0) {
                    throw new WsEventException("event " + type + " at offset " + lineStart + ": invalid length '"
                            + printable(hex) + "' (expected: hexadecimal byte count)");
                }
                if (len > body.length - pos) {
                    throw new WsEventException("event " + type + " at offset " + lineStart + ": length " + len
                            + " exceeds the " + (body.length - pos) + " bytes left in the body");
                }
                content = new byte[len];
                System.arraycopy(body, pos, content, 0, len);
                pos += len;
                if (pos < body.length) {
                    if (body.length - pos < 2 || body[pos] != '\r' || body[pos + 1] != '\n') {
                        throw new WsEventException("event " + type + " at offset " + lineStart + ": content of " + len
                                + " bytes not followed by CRLF");
                    }
                    pos += 2;
                }
            }
            WsEvent e = toEvent(type, content, lineStart);
            if (e != null) {
                out.add(e);
            }
        }
        return out;
    }

    private static WsEvent toEvent(String type, byte[] content, int offset) throws WsEventException {
        byte[] c = content == null ? new byte[0] : content;
        return switch (type) {
            case "OPEN" -> new WsEvent.Open();
            case "TEXT" -> new WsEvent.Text(c);
            case "BINARY" -> new WsEvent.Binary(c);
            case "PING" -> new WsEvent.Ping(c);
            case "PONG" -> new WsEvent.Pong(c);
            case "DISCONNECT" -> new WsEvent.Disconnect();
            case "CLOSE" -> {
                if (c.length == 0) {
                    yield new WsEvent.Close(-1, "");
                }
                if (c.length == 1) {
                    throw new WsEventException("event CLOSE at offset " + offset
                            + ": content of 1 byte (expected: none, or a 2-byte code and an optional reason)");
                }
                int code = ((c[0] & 0xff) << 8) | (c[1] & 0xff);
                yield new WsEvent.Close(code, new String(c, 2, c.length - 2, StandardCharsets.UTF_8));
            }
            default -> null;
        };
    }

    private static boolean validType(String type) {
        if (type.isEmpty()) {
            return false;
        }
        for (int i = 0; i < type.length(); i++) {
            char ch = type.charAt(i);
            if (!(ch >= 'A' && ch <= 'Z') && !(ch >= '0' && ch <= '9') && ch != '-' && ch != '_') {
                return false;
            }
        }
        return true;
    }

    private static int parseHex(String s) {
        if (s.isEmpty() || s.length() > 8) {
            return -1;
        }
        long v = 0;
        for (int i = 0; i < s.length(); i++) {
            int d = Character.digit(s.charAt(i), 16);
            if (d < 0 || s.charAt(i) > 'f') {
                return -1;
            }
            v = v * 16 + d;
        }
        return v > Integer.MAX_VALUE ? -1 : (int) v;
    }

    private static int indexOfCrlf(byte[] b, int from, int to) {
        for (int i = from; i + 1 < to; i++) {
            if (b[i] == '\r' && b[i + 1] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private static String printable(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length() && i < 40; i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c < 0x7f) {
                sb.append(c);
            } else {
                sb.append(String.format("\\x%02x", (int) c));
            }
        }
        return s.length() > 40 ? sb + "..." : sb.toString();
    }
}
