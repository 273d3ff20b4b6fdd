package dev.outpost.edge.hostcalls;

import dev.outpost.edge.abi.FastlyHostcall.Args;
import dev.outpost.edge.abi.FastlyStatus;
import dev.outpost.edge.abi.GuestMemory;
import dev.outpost.edge.abi.HostcallException;
import dev.outpost.edge.backend.BackendException;
import dev.outpost.edge.backend.SendErrorTag;
import dev.outpost.edge.cache.AppCache;
import dev.outpost.edge.cache.Readthrough;
import dev.outpost.edge.config.BackendConfig;
import dev.outpost.edge.sandbox.Body;
import dev.outpost.edge.sandbox.CacheOverride;
import dev.outpost.edge.sandbox.GripHandoff;
import dev.outpost.edge.sandbox.GuestCpu;
import dev.outpost.edge.sandbox.HttpVersion;
import dev.outpost.edge.sandbox.PendingRequest;
import dev.outpost.edge.sandbox.PendingRequest.BackendResponse;
import dev.outpost.edge.sandbox.RequestState;
import dev.outpost.edge.sandbox.Sandbox;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/** {@code fastly_http_req}: request objects, sending to backends, pending requests, dynamic backends. */
final class HttpReqHostcalls {
    private static final String M = "fastly_http_req";
    private static final int MAX_METHOD = 1024;

    private final Sandbox s;

    HttpReqHostcalls(Sandbox sandbox) {
        this.s = sandbox;
    }

    void register(HostcallTable t) {
        t.fastly(M, "body_downstream_get", (m, a) -> {
            int[] handles = s.downstreamHandles();
            m.writeI32(a.i32(0), handles[0]);
            m.writeI32(a.i32(1), handles[1]);
        });
        t.fastly(M, "new", (m, a) -> m.writeI32(a.i32(0), s.requests.insert(new RequestState())));
        t.fastly(M, "close", (m, a) -> s.requests.remove(a.i32(0)));
        HeaderHostcalls.register(t, M, h -> s.requests.get(h).headers);
        t.fastly(M, "method_get", (m, a) -> m.writeOut(a.i32(1), a.i32(2), s.requests.get(a.i32(0)).method, a.i32(3)));
        t.fastly(M, "method_set", (m, a) -> {
            RequestState req = s.requests.get(a.i32(0));
            String method = Guest.string(m, a.i32(1), a.i32(2), "method");
            if (method.isEmpty()
                    || method.length() > MAX_METHOD
                    || !method.chars().allMatch(c -> c > 32 && c < 127)) {
                throw HostcallException.inval("method: " + method + " (expected: an HTTP token)");
            }
            req.method = method;
        });
        t.fastly(M, "uri_get", (m, a) -> m.writeOut(a.i32(1), a.i32(2), s.requests.get(a.i32(0)).uri, a.i32(3)));
        t.fastly(M, "uri_set", (m, a) -> {
            RequestState req = s.requests.get(a.i32(0));
            String uri = Guest.string(m, a.i32(1), a.i32(2), "uri");
            try {
                new URI(uri);
            } catch (URISyntaxException e) {
                throw HostcallException.inval("uri: " + uri + " (expected: a URI: " + e.getReason() + ")");
            }
            req.uri = uri;
        });
        t.fastly(M, "version_get", (m, a) -> m.writeI32(a.i32(1), s.requests.get(a.i32(0)).version));
        t.fastly(M, "version_set", (m, a) -> {
            RequestState req = s.requests.get(a.i32(0));
            if (!HttpVersion.valid(a.i32(1))) {
                throw HostcallException.inval("http version: " + a.i32(1) + " (expected: 0-4)");
            }
            req.version = a.i32(1);
        });
        t.fastly(M, "auto_decompress_response_set", (m, a) -> s.requests.get(a.i32(0)).autoDecompress = a.i32(1));
        // framing_headers_mode_set(h, mode): 0 automatic, 1 manually from headers; another value is inval, as wiggle
        // answers for an enum value it does not know.
        t.fastly(
                M,
                "framing_headers_mode_set",
                (m, a) -> s.requests.get(a.i32(0)).manualFraming = framingMode(a.i32(1)));
        // cache_override_set(req, tag, ttl, swr); _v2 adds the surrogate keys (ptr, len). The readthrough cache of
        // send/send_async follows them; send_v3 and send_async_v2 are uncached.
        t.fastly(M, "cache_override_set", (m, a) -> cacheOverride(s.requests.get(a.i32(0)), a, null));
        t.fastly(
                M,
                "cache_override_v2_set",
                (m, a) -> cacheOverride(
                        s.requests.get(a.i32(0)), a, Guest.string(m, a.i32(4), a.i32(5), "surrogate keys")));

        // send(req, body, backend, backend_len, resp_out, body_out)
        t.fastly(M, "send", (m, a) -> wait(m, new PendingRequest(start(m, a, false, true)), a.i32(4), a.i32(5), 0));
        t.fastly(
                M,
                "send_v2",
                (m, a) -> wait(m, new PendingRequest(start(m, a, false, true)), a.i32(5), a.i32(6), a.i32(4)));
        t.fastly(
                M,
                "send_v3",
                (m, a) -> wait(m, new PendingRequest(start(m, a, false, false)), a.i32(5), a.i32(6), a.i32(4)));
        // send_async(req, body, backend, backend_len, pending_out)
        t.fastly(M, "send_async", (m, a) -> m.writeI32(a.i32(4), pendingHandle(start(m, a, false, true))));
        t.fastly(M, "send_async_streaming", (m, a) -> m.writeI32(a.i32(4), pendingHandle(start(m, a, true, true))));
        // send_async_v2(req, body, backend, backend_len, streaming, pending_out)
        t.fastly(M, "send_async_v2", (m, a) -> m.writeI32(a.i32(5), pendingHandle(start(m, a, a.i32(4) != 0, false))));
        // pending_req_wait(pending, resp_out, body_out)
        t.fastly(M, "pending_req_wait", (m, a) -> {
            PendingRequest p = s.pending(a.i32(0));
            s.asyncItems.remove(a.i32(0));
            wait(m, p, a.i32(1), a.i32(2), 0);
        });
        // pending_req_wait_v2(pending, error_detail, resp_out, body_out)
        t.fastly(M, "pending_req_wait_v2", (m, a) -> {
            PendingRequest p = s.pending(a.i32(0));
            s.asyncItems.remove(a.i32(0));
            wait(m, p, a.i32(2), a.i32(3), a.i32(1));
        });
        // pending_req_poll(pending, is_done_out, resp_out, body_out)
        t.fastly(M, "pending_req_poll", (m, a) -> poll(m, a.i32(0), a.i32(1), a.i32(2), a.i32(3), 0));
        t.fastly(M, "pending_req_poll_v2", (m, a) -> poll(m, a.i32(0), a.i32(2), a.i32(3), a.i32(4), a.i32(1)));
        // pending_req_select(handles, count, done_index_out, resp_out, body_out)
        t.fastly(M, "pending_req_select", (m, a) -> select(m, a.i32(0), a.i32(1), a.i32(2), a.i32(3), a.i32(4), 0));
        // pending_req_select_v2(handles, count, error_detail, done_index_out, resp_out, body_out)
        t.fastly(
                M,
                "pending_req_select_v2",
                (m, a) -> select(m, a.i32(0), a.i32(1), a.i32(3), a.i32(4), a.i32(5), a.i32(2)));
        registerPendingHeaderEdits(t);
        t.fastly(
                M,
                "register_dynamic_backend",
                (m, a) -> s.registerBackend(
                        DynamicBackends.read(m, a.i32(0), a.i32(1), a.i32(2), a.i32(3), a.i32(4), a.i32(5), s)));
        t.unsupported(
                M,
                "upgrade_websocket",
                "deprecated in favour of redirect_to_websocket_proxy_v2, which works here (Viceroy lacks it too)");
        // inspect(req, body, info_mask, info, buf, buf_len, nwritten_out): Next-Gen WAF; locally every request is
        // allowed, with the verdict Viceroy gives.
        t.fastly(M, "inspect", (m, a) -> inspect(m, a));
        t.unsupported(M, "on_behalf_of", "running on behalf of another service exists only in Fastly's network");
        // redirect_to_*_proxy_v2(req, backend, backend_len): the request as the guest left it goes to the handoff.
        t.fastly(M, "redirect_to_grip_proxy_v2", (m, a) -> handoff(GripHandoff.Kind.GRIP, m, a));
        t.fastly(M, "redirect_to_websocket_proxy_v2", (m, a) -> handoff(GripHandoff.Kind.WEBSOCKET, m, a));
        // The legacy calls take only the backend name and forward the client's original request.
        t.fastly(M, "redirect_to_grip_proxy", (m, a) -> legacyHandoff(GripHandoff.Kind.GRIP, m, a));
        t.fastly(M, "redirect_to_websocket_proxy", (m, a) -> legacyHandoff(GripHandoff.Kind.WEBSOCKET, m, a));
    }

    private void legacyHandoff(GripHandoff.Kind kind, GuestMemory m, Args a) {
        String backend = Guest.string(m, a.i32(0), a.i32(1), "backend name");
        if (backend.isEmpty() || backend.length() > 254) {
            throw HostcallException.inval("handoff backend: " + backend + " (expected: 1-254 characters)");
        }
        s.handoff(new GripHandoff(kind, s.downstream().head(), backend, false));
    }

    private void handoff(GripHandoff.Kind kind, GuestMemory m, Args a) {
        RequestState req = s.requests.get(a.i32(0));
        String backend = Guest.string(m, a.i32(1), a.i32(2), "backend name");
        if (backend.isEmpty() || backend.length() > 254) {
            throw HostcallException.inval("handoff backend: " + backend + " (expected: 1-254 characters)");
        }
        s.handoff(new GripHandoff(kind, req, backend));
    }

    private static void cacheOverride(RequestState req, Args a, String keys) {
        try {
            req.cacheOverride = CacheOverride.fromAbi(a.i32(1), a.i32(2), a.i32(3), keys);
        } catch (IllegalArgumentException e) {
            throw HostcallException.inval(e.getMessage());
        }
    }

    /** Starts sending a request; {@code cached}: through the app's readthrough cache (when it is on). */
    private CompletableFuture<BackendResponse> start(GuestMemory m, Args a, boolean streaming, boolean cached) {
        RequestState req = s.requests.get(a.i32(0));
        Body body = s.body(a.i32(1));
        String name = Guest.string(m, a.i32(2), a.i32(3), "backend name");
        BackendConfig backend = s.backend(name);
        if (backend == null) {
            throw HostcallException.inval("backend: " + name + " (expected: a backend from fastly.toml or registered)");
        }
        // Sending consumes both handles; a streaming body stays writable for the guest.
        s.requests.remove(a.i32(0));
        if (!streaming) {
            s.asyncItems.remove(a.i32(1));
            body.endGuestWrites();
        }
        Readthrough.Sender direct =
                (r, b) -> s.services().backendClient().send(backend, r, b, (r.autoDecompress & 1) != 0);
        AppCache cache = s.services().cache();
        return cached && cache.readthrough()
                ? new Readthrough(cache.store(), direct).send(req, body)
                : direct.send(req, body);
    }

    private int pendingHandle(CompletableFuture<BackendResponse> response) {
        return s.asyncItems.insert(new PendingRequest(response));
    }

    private void wait(GuestMemory m, PendingRequest pending, int respOut, int bodyOut, int errorDetail) {
        BackendResponse r;
        try {
            r = GuestCpu.await(pending.response());
        } catch (InterruptedException e) {
            throw Guest.interrupted("pending_req_wait", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            SendErrorTag tag = cause instanceof BackendException be ? be.tag() : SendErrorTag.INTERNAL_ERROR;
            errorDetail(m, errorDetail, tag);
            throw new HostcallException(FastlyStatus.ERROR, "backend request failed: " + cause.getMessage());
        }
        errorDetail(m, errorDetail, SendErrorTag.OK);
        m.writeI32(respOut, s.responses.insert(pending.applyEdits(r.head())));
        m.writeI32(bodyOut, s.asyncItems.insert(r.body()));
    }

    private void poll(GuestMemory m, int handle, int doneOut, int respOut, int bodyOut, int errorDetail) {
        PendingRequest p = s.pending(handle);
        if (!p.isReady()) {
            m.writeI32(doneOut, 0);
            return;
        }
        s.asyncItems.remove(handle);
        m.writeI32(doneOut, 1);
        wait(m, p, respOut, bodyOut, errorDetail);
    }

    /** {@code send_error_detail}: the tag, and an empty mask (no DNS, TLS or HTTP/2 detail is reported). */
    private static void errorDetail(GuestMemory m, int ptr, SendErrorTag tag) {
        if (ptr != 0) {
            m.writeI32(ptr, tag.code());
            m.writeI32(ptr + 4, 0);
        }
    }

    /**
     * Waits for the first of several pending requests and takes it; the others stay pending. A failed one gives
     * invalid handles and {@code ok}, as in Viceroy, with the reason in {@code error_detail}.
     */
    private void select(GuestMemory m, int handles, int count, int doneOut, int respOut, int bodyOut, int detail) {
        if (count <= 0) {
            throw HostcallException.inval("pending_req_select: " + count + " handles (expected: at least 1)");
        }
        List<Object> items = new ArrayList<>(count);
        int[] ids = new int[count];
        for (int i = 0; i < count; i++) {
            ids[i] = m.readI32(handles + 4 * i);
            items.add(s.pending(ids[i]));
        }
        int done = AsyncIoHostcalls.select(items, 0);
        PendingRequest p = (PendingRequest) items.get(done);
        s.asyncItems.remove(ids[done]);
        m.writeI32(doneOut, done);
        try {
            wait(m, p, respOut, bodyOut, detail);
        } catch (HostcallException e) {
            m.writeI32(respOut, -1);
            m.writeI32(bodyOut, -1);
        }
    }

    /** {@code pending_req_header_*}: target 0 any response, 1 a real response, 2 a synthetic error (none here). */
    private void registerPendingHeaderEdits(HostcallTable t) {
        // (pending, name, name_len, value, value_len, target)
        t.fastly(M, "pending_req_header_insert", (m, a) -> {
            PendingRequest p = s.pending(a.i32(0));
            String name = HeaderHostcalls.name(Guest.bytes(m, a.i32(1), a.i32(2)));
            byte[] value = HeaderHostcalls.checkValue(name, Guest.bytes(m, a.i32(3), a.i32(4)));
            if (target(a.i32(5))) {
                p.editResponse(h -> h.insert(name, value));
            }
        });
        t.fastly(M, "pending_req_header_append", (m, a) -> {
            PendingRequest p = s.pending(a.i32(0));
            String name = HeaderHostcalls.name(Guest.bytes(m, a.i32(1), a.i32(2)));
            byte[] value = HeaderHostcalls.checkValue(name, Guest.bytes(m, a.i32(3), a.i32(4)));
            if (target(a.i32(5))) {
                p.editResponse(h -> h.append(name, value));
            }
        });
        // (pending, name, name_len, target)
        t.fastly(M, "pending_req_header_remove", (m, a) -> {
            PendingRequest p = s.pending(a.i32(0));
            String name = HeaderHostcalls.name(Guest.bytes(m, a.i32(1), a.i32(2)));
            if (target(a.i32(3))) {
                p.editResponse(h -> h.remove(name));
            }
        });
    }

    /** Whether an edit for {@code pending_response_kind} applies to a backend's own response. */
    private static boolean target(int kind) {
        return switch (kind) {
            case 0, 1 -> true;
            case 2 -> false;
            default -> throw HostcallException.inval("pending_response_kind: " + kind + " (expected: 0-2)");
        };
    }

    private void inspect(GuestMemory m, Args a) {
        s.requests.get(a.i32(0));
        s.body(a.i32(1));
        int mask = a.i32(2);
        int info = a.i32(3);
        // corp and workspace are required, each a non-empty UTF-8 string.
        for (int field = 0; field < 2; field++) {
            int len = m.readI32(info + 8 * field + 4);
            if ((mask & (2 << field)) == 0 || len == 0) {
                throw HostcallException.inval(
                        "inspect: " + (field == 0 ? "corp" : "workspace") + " missing (expected: a non-empty string)");
            }
            Guest.string(m, m.readI32(info + 8 * field), len, field == 0 ? "corp" : "workspace");
        }
        if ((mask & 8) != 0) {
            int len = m.readI32(info + 20);
            if (len != 4 && len != 16) {
                throw HostcallException.inval("inspect: override_client_ip length " + len + " (expected: 4 or 16)");
            }
        }
        m.writeOut(a.i32(4), a.i32(5), INSPECT_VERDICT, a.i32(6));
    }

    private static final String INSPECT_VERDICT =
            "{\"waf_response\":200,\"redirect_url\":\"\",\"tags\":[],\"verdict\":\"allow\",\"decision_ms\":0}";

    static boolean framingMode(int mode) {
        if (mode != 0 && mode != 1) {
            throw HostcallException.inval(
                    "framing_headers_mode_set: mode " + mode + " (expected 0, automatic, or 1, manually from headers)");
        }
        return mode == 1;
    }
}
