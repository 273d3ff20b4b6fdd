package dev.outpost.edge.sandbox;

import java.util.Objects;

/**
 * The guest asked to hand its client over: to a GRIP proxy ({@code redirect_to_grip_proxy_v2}, Fanout) or straight to
 * a backend for WebSockets ({@code redirect_to_websocket_proxy_v2}).
 *
 * @param request the request to forward (method, URI, headers as the guest left them)
 * @param backend the backend named by the guest
 * @param fromHandle true for the {@code _v2} calls (method, path and headers come from {@code request}); false for the
 *     legacy calls, which forward the client's original request
 */
public record GripHandoff(Kind kind, RequestState request, String backend, boolean fromHandle) {
    /** Which handoff hostcall was used. */
    public enum Kind {
        GRIP,
        WEBSOCKET
    }

    public GripHandoff {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(backend, "backend");
    }

    public GripHandoff(Kind kind, RequestState request, String backend) {
        this(kind, request, backend, true);
    }
}
