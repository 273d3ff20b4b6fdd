package dev.outpost.edge.hostcalls;

import dev.outpost.edge.abi.FastlyStatus;
import dev.outpost.edge.abi.GuestMemory;
import dev.outpost.edge.abi.GuestTrapException;
import dev.outpost.edge.abi.HostcallException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Helpers for the ABI's recurring shapes: strings, multi-value cursors, blocking waits. */
final class Guest {
    /** Longest name or key a hostcall accepts, as a guard against garbage lengths. */
    static final int MAX_NAME = 65_536;

    private Guest() {}

    static String string(GuestMemory memory, int ptr, int len, String what) {
        if (len < 0 || len > MAX_NAME * 16) {
            throw HostcallException.inval(
                    what + " length: " + Integer.toUnsignedString(len) + " (expected: <= " + MAX_NAME * 16 + ")");
        }
        return memory.readUtf8(ptr, len);
    }

    static byte[] bytes(GuestMemory memory, int ptr, int len) {
        if (len < 0) {
            throw HostcallException.inval("buffer length: " + Integer.toUnsignedString(len) + " (expected: < 2^31)");
        }
        return memory.read(ptr, len);
    }

    /**
     * Writes the items from {@code cursor} on, each followed by NUL, as many as fit; then the cursor to resume from, or
     * -1 when all were written. When not even the first fits: {@code buflen} with the size it needs.
     */
    static void multiValue(
            GuestMemory memory,
            List<byte[]> items,
            int buf,
            int bufLen,
            int cursor,
            int endingCursorPtr,
            int nwrittenPtr) {
        long capacity = Integer.toUnsignedLong(bufLen);
        var out = new ByteArrayOutputStream();
        int at = cursor;
        boolean finished = true;
        for (int i = cursor; i < items.size(); i++) {
            byte[] item = items.get(i);
            long needed = (long) out.size() + item.length + 1;
            if (needed > capacity) {
                if (at == cursor) {
                    memory.writeI32(nwrittenPtr, (int) needed);
                    if (endingCursorPtr != 0) {
                        memory.writeI64(endingCursorPtr, -1);
                    }
                    throw new HostcallException(
                            FastlyStatus.BUFLEN,
                            "buffer of " + capacity + " bytes (expected: at least " + needed + ")");
                }
                finished = false;
                break;
            }
            out.writeBytes(item);
            out.write(0);
            at++;
        }
        byte[] bytes = out.toByteArray();
        memory.write(buf, bytes);
        memory.writeI32(nwrittenPtr, bytes.length);
        if (endingCursorPtr != 0) {
            memory.writeI64(endingCursorPtr, finished ? -1 : at);
        }
    }

    static List<byte[]> utf8(List<String> values) {
        return values.stream().map(v -> v.getBytes(StandardCharsets.UTF_8)).toList();
    }

    /** A guest blocked in a hostcall was interrupted: the server is stopping it (time limit or shutdown). */
    static GuestTrapException interrupted(String hostcall, InterruptedException e) {
        Thread.currentThread().interrupt();
        return new GuestTrapException(hostcall + ": interrupted while waiting", e);
    }
}
