package dev.outpost.bus.redis;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One message on a bus channel: {@code SECONDS:MICROS:} (the bus server's clock, put there by the publish script, so
 * that every node orders and times items alike, ADR 0006), then a kind ({@code I} an item, {@code T} a tick that ends
 * waits), the sending node's id and {@code :}, then the payload ({@code {"items":[ITEM]}} for an item, empty for a
 * tick).
 *
 * @param busMicros the bus's time in microseconds since the epoch
 * @param kind      {@link #ITEM} or {@link #TICK}
 * @param origin    the id of the node that sent it
 * @param payload   the item as publish JSON, or empty
 */
public record BusMessage(long busMicros, byte kind, String origin, byte[] payload) {
    public static final byte ITEM = 'I';
    public static final byte TICK = 'T';

    /** What a node hands the publish script: kind, origin, {@code :}, payload (the script adds the time). */
    public static byte[] body(byte kind, String origin, byte[] payload) {
        byte[] o = origin.getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[1 + o.length + 1 + payload.length];
        out[0] = kind;
        System.arraycopy(o, 0, out, 1, o.length);
        out[1 + o.length] = ':';
        System.arraycopy(payload, 0, out, 2 + o.length, payload.length);
        return out;
    }

    /** Reads a message as the script published it; throws {@link IllegalArgumentException} for anything else. */
    public static BusMessage parse(byte[] m) {
        int at = 0;
        long sec = 0;
        int start = at;
        while (at < m.length && m[at] >= '0' && m[at] <= '9' && at - start < 12) {
            sec = sec * 10 + (m[at++] - '0');
        }
        if (at == start || at >= m.length || m[at] != ':') {
            throw new IllegalArgumentException("bus message without its time (not from an Outpost node?)");
        }
        at++;
        long usec = 0;
        start = at;
        while (at < m.length && m[at] >= '0' && m[at] <= '9' && at - start < 7) {
            usec = usec * 10 + (m[at++] - '0');
        }
        if (at == start || at + 1 >= m.length || m[at] != ':') {
            throw new IllegalArgumentException("bus message with a bad time");
        }
        at++;
        byte kind = m[at++];
        if (kind != ITEM && kind != TICK) {
            throw new IllegalArgumentException("bus message of unknown kind '" + (char) kind + "'");
        }
        int colon = at;
        while (colon < m.length && m[colon] != ':') {
            colon++;
        }
        if (colon >= m.length || colon - at > 64) {
            throw new IllegalArgumentException("bus message without its origin");
        }
        String origin = new String(m, at, colon - at, StandardCharsets.US_ASCII);
        return new BusMessage(sec * 1_000_000 + usec, kind, origin, Arrays.copyOfRange(m, colon + 1, m.length));
    }
}
