package dev.outpost.edge.hostcalls;

import dev.outpost.edge.abi.FastlyStatus;
import dev.outpost.edge.abi.HostcallException;
import dev.outpost.edge.sandbox.Body;
import dev.outpost.edge.sandbox.HeaderList;
import dev.outpost.edge.sandbox.Sandbox;
import java.util.List;

/** {@code fastly_http_body}: body streams. Reads block until data arrives or the writer ends the body. */
final class HttpBodyHostcalls {
    private static final String M = "fastly_http_body";
    private static final int BACK = 0;
    private static final int FRONT = 1;

    private final Sandbox s;

    HttpBodyHostcalls(Sandbox sandbox) {
        this.s = sandbox;
    }

    void register(HostcallTable t) {
        t.fastly(M, "new", (m, a) -> m.writeI32(a.i32(0), s.asyncItems.insert(new Body())));
        // read(h, buf, buf_len, nread_out)
        t.fastly(M, "read", (m, a) -> {
            Body body = s.body(a.i32(0));
            byte[] chunk;
            try {
                chunk = body.readByGuest(Math.max(0, a.i32(2)));
            } catch (InterruptedException e) {
                throw Guest.interrupted("http_body.read", e);
            }
            if (chunk.length == 0 && body.failure() != null) {
                throw new HostcallException(FastlyStatus.ERROR, "http_body.read: " + body.failure());
            }
            m.write(a.i32(1), chunk);
            m.writeI32(a.i32(3), chunk.length);
        });
        // write(h, buf, buf_len, end, nwritten_out)
        t.fastly(M, "write", (m, a) -> {
            Body body = s.body(a.i32(0));
            byte[] bytes = Guest.bytes(m, a.i32(1), a.i32(2));
            switch (a.i32(3)) {
                case BACK -> body.write(bytes);
                case FRONT -> body.writeFront(bytes);
                default ->
                    throw HostcallException.inval("body_write_end: " + a.i32(3) + " (expected: 0 back or 1 front)");
            }
            m.writeI32(a.i32(4), bytes.length);
        });
        // append(dest, src): src is consumed, so the guest can no longer write to it: a body the guest wrote ends here
        // (else dest would never end, issue #11), one the host still writes goes on.
        t.fastly(M, "append", (m, a) -> {
            Body dest = s.body(a.i32(0));
            Body src = s.body(a.i32(1));
            if (dest == src) {
                throw HostcallException.inval("append: a body cannot be appended to itself");
            }
            s.asyncItems.remove(a.i32(1));
            src.endGuestWrites();
            dest.append(src);
        });
        t.fastly(M, "close", (m, a) -> {
            s.body(a.i32(0));
            ((Body) s.asyncItems.remove(a.i32(0))).endGuestWrites();
        });
        t.fastly(M, "abandon", (m, a) -> {
            s.body(a.i32(0));
            ((Body) s.asyncItems.remove(a.i32(0))).abandon();
        });
        registerTrailers(t);
        // known_length(h, length_out: u64)
        t.fastly(M, "known_length", (m, a) -> {
            Long length = s.body(a.i32(0)).knownLength();
            if (length == null) {
                throw new HostcallException(FastlyStatus.NONE, "known_length: not known");
            }
            m.writeI64(a.i32(1), length);
        });
    }

    /** Trailers: appended by the writer; read once the body has been read to its end ({@code again} before). */
    private void registerTrailers(HostcallTable t) {
        // trailer_append(h, name, name_len, value, value_len)
        t.fastly(M, "trailer_append", (m, a) -> {
            Body body = s.body(a.i32(0));
            String name = HeaderHostcalls.name(Guest.bytes(m, a.i32(1), a.i32(2)));
            body.trailers().append(name, HeaderHostcalls.checkValue(name, Guest.bytes(m, a.i32(3), a.i32(4))));
        });
        // trailer_names_get(h, buf, buf_len, cursor, ending_cursor_out, nwritten_out)
        t.fastly(
                M,
                "trailer_names_get",
                (m, a) -> Guest.multiValue(
                        m,
                        Guest.utf8(readyTrailers(a.i32(0)).names()),
                        a.i32(1),
                        a.i32(2),
                        a.i32(3),
                        a.i32(4),
                        a.i32(5)));
        // trailer_value_get(h, name, name_len, value, value_max_len, nwritten_out)
        t.fastly(M, "trailer_value_get", (m, a) -> {
            HeaderList trailers = readyTrailers(a.i32(0));
            String name = HeaderHostcalls.name(Guest.bytes(m, a.i32(1), a.i32(2)));
            List<byte[]> values = trailers.values(name);
            if (values.isEmpty()) {
                throw new HostcallException(FastlyStatus.NONE, "trailer " + name + ": absent");
            }
            m.writeOut(a.i32(3), a.i32(4), values.getFirst(), a.i32(5));
        });
        // trailer_values_get(h, name, name_len, buf, buf_len, cursor, ending_cursor_out, nwritten_out)
        t.fastly(M, "trailer_values_get", (m, a) -> {
            HeaderList trailers = readyTrailers(a.i32(0));
            String name = HeaderHostcalls.name(Guest.bytes(m, a.i32(1), a.i32(2)));
            Guest.multiValue(m, trailers.values(name), a.i32(3), a.i32(4), a.i32(5), a.i32(6), a.i32(7));
        });
    }

    private HeaderList readyTrailers(int handle) {
        Body body = s.body(handle);
        if (!body.trailersReady()) {
            throw new HostcallException(
                    FastlyStatus.AGAIN, "trailers: not available until the body has been read to its end");
        }
        return body.trailers();
    }
}
