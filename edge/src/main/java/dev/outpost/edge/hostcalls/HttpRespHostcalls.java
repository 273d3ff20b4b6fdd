package dev.outpost.edge.hostcalls;

import dev.outpost.edge.abi.FastlyStatus;
import dev.outpost.edge.abi.HostcallException;
import dev.outpost.edge.sandbox.Body;
import dev.outpost.edge.sandbox.GuestCpu;
import dev.outpost.edge.sandbox.HttpVersion;
import dev.outpost.edge.sandbox.PendingRequest.BackendResponse;
import dev.outpost.edge.sandbox.ResponseState;
import dev.outpost.edge.sandbox.Sandbox;
import java.util.concurrent.ExecutionException;

/** {@code fastly_http_resp}: response objects and {@code send_downstream}. */
final class HttpRespHostcalls {
    private static final String M = "fastly_http_resp";

    private final Sandbox s;

    HttpRespHostcalls(Sandbox sandbox) {
        this.s = sandbox;
    }

    void register(HostcallTable t) {
        t.fastly(M, "new", (m, a) -> m.writeI32(a.i32(0), s.responses.insert(new ResponseState())));
        t.fastly(M, "close", (m, a) -> s.responses.remove(a.i32(0)));
        HeaderHostcalls.register(t, M, h -> s.responses.get(h).headers);
        t.fastly(M, "status_get", (m, a) -> m.writeI16(a.i32(1), (short) s.responses.get(a.i32(0)).status));
        t.fastly(M, "status_set", (m, a) -> {
            ResponseState resp = s.responses.get(a.i32(0));
            int status = a.i32(1);
            if (status < 100 || status > 999) {
                throw HostcallException.inval("status: " + status + " (expected: 100-999)");
            }
            resp.status = status;
        });
        t.fastly(M, "version_get", (m, a) -> m.writeI32(a.i32(1), s.responses.get(a.i32(0)).version));
        t.fastly(M, "version_set", (m, a) -> {
            ResponseState resp = s.responses.get(a.i32(0));
            if (!HttpVersion.valid(a.i32(1))) {
                throw HostcallException.inval("http version: " + a.i32(1) + " (expected: 0-4)");
            }
            resp.version = a.i32(1);
        });
        // framing_headers_mode_set(h, mode): 0 automatic, 1 manually from headers; another value is inval, as wiggle
        // answers for an enum value it does not know.
        t.fastly(
                M,
                "framing_headers_mode_set",
                (m, a) -> s.responses.get(a.i32(0)).manualFraming = framingMode(a.i32(1)));
        t.fastly(M, "http_keepalive_mode_set", (m, a) -> s.responses.get(a.i32(0)));
        // send_downstream(resp, body, streaming)
        t.fastly(M, "send_downstream", (m, a) -> {
            ResponseState resp = s.responses.get(a.i32(0));
            Body body = s.body(a.i32(1));
            boolean streaming = a.i32(2) != 0;
            s.respond(resp, body, streaming);
            s.responses.remove(a.i32(0));
            if (!streaming) {
                s.asyncItems.remove(a.i32(1));
            }
        });
        // send_downstream_pending(pending): forwards a backend response as it arrives.
        t.fastly(M, "send_downstream_pending", (m, a) -> {
            var pending = s.pending(a.i32(0));
            s.asyncItems.remove(a.i32(0));
            BackendResponse r;
            try {
                r = GuestCpu.await(pending.response());
            } catch (InterruptedException e) {
                throw Guest.interrupted("send_downstream_pending", e);
            } catch (ExecutionException e) {
                throw new HostcallException(
                        FastlyStatus.ERROR,
                        "backend request failed: " + e.getCause().getMessage());
            }
            s.respond(pending.applyEdits(r.head()), r.body(), false);
        });
        t.fastly(M, "get_addr_dest_ip", (m, a) -> {
            ResponseState resp = s.responses.get(a.i32(0));
            if (resp.remote == null) {
                throw new HostcallException(FastlyStatus.NONE, "get_addr_dest_ip: not a backend response");
            }
            byte[] octets = resp.remote.getAddress().getAddress();
            m.write(a.i32(1), octets);
            m.writeI32(a.i32(2), octets.length);
        });
        t.fastly(M, "get_addr_dest_port", (m, a) -> {
            ResponseState resp = s.responses.get(a.i32(0));
            if (resp.remote == null) {
                throw new HostcallException(FastlyStatus.NONE, "get_addr_dest_port: not a backend response");
            }
            m.writeI16(a.i32(1), (short) resp.remote.getPort());
        });
    }

    static boolean framingMode(int mode) {
        if (mode != 0 && mode != 1) {
            throw HostcallException.inval(
                    "framing_headers_mode_set: mode " + mode + " (expected 0, automatic, or 1, manually from headers)");
        }
        return mode == 1;
    }
}
