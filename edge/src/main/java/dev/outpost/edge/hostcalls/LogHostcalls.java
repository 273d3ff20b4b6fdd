package dev.outpost.edge.hostcalls;

import dev.outpost.edge.abi.HostcallException;
import dev.outpost.edge.sandbox.Sandbox;

/** {@code fastly_log}: named logging endpoints, written as {@code <name> :: <message>} lines. */
final class LogHostcalls {
    private static final String M = "fastly_log";
    private static final int MAX_ENDPOINT_NAME = 255;

    private final Sandbox s;

    LogHostcalls(Sandbox sandbox) {
        this.s = sandbox;
    }

    void register(HostcallTable t) {
        // endpoint_get(name, name_len, handle_out)
        t.fastly(M, "endpoint_get", (m, a) -> {
            String name = Guest.string(m, a.i32(0), a.i32(1), "endpoint name");
            if (name.isEmpty() || name.length() > MAX_ENDPOINT_NAME || name.equals("stdout") || name.equals("stderr")) {
                throw HostcallException.inval(
                        "log endpoint: " + name + " (expected: 1-255 characters, not stdout or stderr)");
            }
            m.writeI32(a.i32(2), s.logEndpoints.insert(name));
        });
        // write(handle, msg, msg_len, nwritten_out)
        t.fastly(M, "write", (m, a) -> {
            String endpoint = s.logEndpoints.get(a.i32(0));
            String message = Guest.string(m, a.i32(1), a.i32(2), "log message");
            s.services().logSink().line(endpoint, message.replace("\n", "\\n"));
            m.writeI32(a.i32(3), a.i32(2));
        });
    }
}
