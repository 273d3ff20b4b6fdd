package dev.outpost.edge.hostcalls;

import dev.outpost.edge.abi.FastlyStatus;
import dev.outpost.edge.abi.HostcallException;
import dev.outpost.edge.sandbox.HeaderList;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntFunction;

/** The header hostcalls that {@code fastly_http_req} and {@code fastly_http_resp} share, over a handle's headers. */
final class HeaderHostcalls {
    private static final int MAX_HEADER_NAME = 65_535;

    private HeaderHostcalls() {}

    static void register(HostcallTable t, String module, IntFunction<HeaderList> headers) {
        // (h, buf, buf_len, cursor, ending_cursor_out, nwritten_out)
        t.fastly(
                module,
                "header_names_get",
                (m, a) -> Guest.multiValue(
                        m,
                        Guest.utf8(headers.apply(a.i32(0)).names()),
                        a.i32(1),
                        a.i32(2),
                        a.i32(3),
                        a.i32(4),
                        a.i32(5)));
        // (h, name, name_len, buf, buf_len, cursor, ending_cursor_out, nwritten_out)
        t.fastly(module, "header_values_get", (m, a) -> {
            HeaderList list = headers.apply(a.i32(0));
            String name = name(m.read(a.i32(1), a.i32(2)));
            Guest.multiValue(m, list.values(name), a.i32(3), a.i32(4), a.i32(5), a.i32(6), a.i32(7));
        });
        // (h, name, name_len, value, value_max_len, nwritten_out)
        t.fastly(module, "header_value_get", (m, a) -> {
            HeaderList list = headers.apply(a.i32(0));
            String name = name(m.read(a.i32(1), a.i32(2)));
            List<byte[]> values = list.values(name);
            if (values.isEmpty()) {
                throw new HostcallException(FastlyStatus.NONE, "header " + name + ": absent");
            }
            m.writeOut(a.i32(3), a.i32(4), values.getFirst(), a.i32(5));
        });
        // (h, name, name_len, values (NUL-terminated each), values_len)
        t.fastly(module, "header_values_set", (m, a) -> {
            HeaderList list = headers.apply(a.i32(0));
            String name = name(m.read(a.i32(1), a.i32(2)));
            byte[] packed = Guest.bytes(m, a.i32(3), a.i32(4));
            List<byte[]> values = new ArrayList<>();
            int start = 0;
            for (int i = 0; i < packed.length; i++) {
                if (packed[i] == 0) {
                    values.add(Arrays.copyOfRange(packed, start, i));
                    start = i + 1;
                }
            }
            if (start < packed.length) {
                values.add(Arrays.copyOfRange(packed, start, packed.length));
            }
            list.remove(name);
            for (byte[] v : values) {
                list.append(name, checkValue(name, v));
            }
        });
        t.fastly(module, "header_insert", (m, a) -> {
            HeaderList list = headers.apply(a.i32(0));
            String name = name(m.read(a.i32(1), a.i32(2)));
            list.insert(name, checkValue(name, Guest.bytes(m, a.i32(3), a.i32(4))));
        });
        t.fastly(module, "header_append", (m, a) -> {
            HeaderList list = headers.apply(a.i32(0));
            String name = name(m.read(a.i32(1), a.i32(2)));
            list.append(name, checkValue(name, Guest.bytes(m, a.i32(3), a.i32(4))));
        });
        t.fastly(module, "header_remove", (m, a) -> {
            HeaderList list = headers.apply(a.i32(0));
            String name = name(m.read(a.i32(1), a.i32(2)));
            if (!list.remove(name)) {
                throw HostcallException.inval("header_remove: " + name + " (expected: a header that is present)");
            }
        });
    }

    /** Validates a header name as an HTTP token and lower-cases it. */
    static String name(byte[] raw) {
        if (raw.length == 0 || raw.length > MAX_HEADER_NAME) {
            throw HostcallException.inval(
                    "header name length: " + raw.length + " (expected: 1-" + MAX_HEADER_NAME + ")");
        }
        for (byte b : raw) {
            if (!token(b)) {
                throw HostcallException.inval(
                        "header name: " + new String(raw, StandardCharsets.ISO_8859_1) + " (expected: an HTTP token)");
            }
        }
        return HeaderList.normalize(new String(raw, StandardCharsets.ISO_8859_1));
    }

    static byte[] checkValue(String name, byte[] value) {
        for (byte b : value) {
            if (b == '\r' || b == '\n' || b == 0) {
                throw HostcallException.inval("header " + name + " value: contains CR, LF or NUL (expected: none)");
            }
        }
        return value;
    }

    private static boolean token(byte b) {
        if (b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z') {
            return true;
        }
        return "!#$%&'*+-.^_`|~".indexOf(b) >= 0;
    }
}
