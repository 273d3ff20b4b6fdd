package dev.outpost.edge.sandbox;

import dev.outpost.edge.abi.FastlyStatus;
import dev.outpost.edge.abi.HandleTable;
import dev.outpost.edge.abi.HostcallException;
import dev.outpost.edge.config.BackendConfig;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The host side of one guest run: its handle tables and the downstream exchange. Bodies, pending requests and other
 * async items share one table, because {@code fastly_async_io.select} takes a list mixing them. Used on the guest
 * thread only.
 */
public final class Sandbox implements AutoCloseable {
    public final HandleTable<RequestState> requests = new HandleTable<>("request");
    public final HandleTable<ResponseState> responses = new HandleTable<>("response");
    public final HandleTable<Object> asyncItems = new HandleTable<>("async item");
    public final HandleTable<String> logEndpoints = new HandleTable<>("endpoint");
    public final HandleTable<Map<String, String>> configStores = new HandleTable<>("config store");
    public final HandleTable<String> kvStores = new HandleTable<>("kv store");
    public final HandleTable<Map<String, byte[]>> secretStores = new HandleTable<>("secret store");
    public final HandleTable<byte[]> secrets = new HandleTable<>("secret");
    public final HandleTable<String> acls = new HandleTable<>("acl");

    private final EdgeServices services;
    private DownstreamRequest downstream;
    private DownstreamResponder responder;
    private RequestSource requestSource = RequestSource.NONE;
    private Runnable onNextRequest = () -> {};
    private final Map<String, BackendConfig> dynamicBackends = new HashMap<>();
    private final Map<String, String> environment;
    private final Map<Integer, Downstream> downstreamByHandle = new HashMap<>();
    private int downstreamRequestHandle = -1;
    private int downstreamBodyHandle = -1;
    private boolean responded;

    public Sandbox(EdgeServices services, DownstreamRequest downstream, DownstreamResponder responder) {
        this.services = Objects.requireNonNull(services, "services");
        this.downstream = Objects.requireNonNull(downstream, "downstream");
        this.responder = Objects.requireNonNull(responder, "responder");
        this.environment = services.environment(downstream.requestId());
    }

    public EdgeServices services() {
        return services;
    }

    public DownstreamRequest downstream() {
        return downstream;
    }

    public Map<String, String> environment() {
        return environment;
    }

    /** Lets the guest take further requests (reusable sandbox); {@code onNext} runs when one starts. */
    public void reuse(RequestSource source, Runnable onNext) {
        this.requestSource = Objects.requireNonNull(source, "source");
        this.onNextRequest = Objects.requireNonNull(onNext, "onNext");
    }

    public RequestSource requestSource() {
        return requestSource;
    }

    /**
     * Makes {@code next} the current client request. The previous one gets an empty 200 if the guest never answered
     * it (as when a run ends without a response).
     */
    public void switchTo(RequestSource.Assignment next) {
        if (!responded) {
            ResponseState head = new ResponseState();
            responder.send(head, Body.of(new byte[0]), false);
        }
        dropUnreadBody();
        downstream = next.request();
        responder = next.responder();
        responded = false;
        bindDownstream();
        onNextRequest.run();
    }

    /** The downstream request and body handles, made on first use. */
    public int[] downstreamHandles() {
        if (downstreamRequestHandle < 0) {
            bindDownstream();
        }
        return new int[] {downstreamRequestHandle, downstreamBodyHandle};
    }

    private void bindDownstream() {
        downstreamRequestHandle = requests.insert(downstream.head());
        downstreamBodyHandle = asyncItems.insert(downstream.body());
        downstreamByHandle.put(
                downstreamRequestHandle,
                new Downstream(downstream, downstream.head().headers.copy()));
    }

    /** The client's body when the guest never asked for it: nobody will read it. */
    private void dropUnreadBody() {
        if (downstreamBodyHandle < 0) {
            downstream.body().discard();
        }
    }

    /** A client request and its headers as they arrived, before the guest changed any. */
    public record Downstream(DownstreamRequest request, HeaderList originalHeaders) {}

    /**
     * The client request behind a request handle, for the {@code downstream_*} calls: {@code badf} for a dead handle,
     * {@code error} for a request the guest made (it has no client), as in Viceroy.
     */
    public Downstream downstreamOf(int handle) {
        requests.get(handle);
        Downstream d = downstreamByHandle.get(handle);
        if (d == null || requests.get(handle) != d.request().head()) {
            throw new HostcallException(
                    FastlyStatus.ERROR,
                    "request handle " + handle + ": not a client request (expected: the handle"
                            + " body_downstream_get or next_request_wait gave)");
        }
        return d;
    }

    /** The current client request, as the handle-less {@code fastly_http_req.downstream_*} calls see it. */
    public Downstream currentDownstream() {
        return downstreamOf(downstreamHandles()[0]);
    }

    public Body body(int handle) {
        return asyncItems.get(handle, Body.class, "body");
    }

    public PendingRequest pending(int handle) {
        return asyncItems.get(handle, PendingRequest.class, "pending request");
    }

    public boolean responded() {
        return responded;
    }

    /**
     * Sends the client response; a second response is an error, as on Fastly. A body sent without streaming gets no
     * more writes from the guest: it is ended before it is handed on, so one the guest wrote whole goes out with its head
     * in one write rather than through a thread that streams it.
     */
    public void respond(ResponseState head, Body body, boolean streaming) {
        if (responded) {
            throw new HostcallException(FastlyStatus.ERROR, "send_downstream: a response was already sent");
        }
        responded = true;
        if (!streaming) {
            body.endGuestWrites();
        }
        responder.send(head, body, streaming);
    }

    /** Hands the client over instead of responding; counts as the response. */
    public void handoff(GripHandoff handoff) {
        if (responded) {
            throw new HostcallException(FastlyStatus.ERROR, "handoff: a response was already sent");
        }
        responded = true;
        responder.handoff(handoff);
    }

    /** A static backend from the configuration or one registered by this guest, or null. */
    public BackendConfig backend(String name) {
        BackendConfig dynamic = dynamicBackends.get(name);
        return dynamic != null ? dynamic : services.backend(name);
    }

    public void registerBackend(BackendConfig backend) {
        if (backend(backend.name()) != null) {
            throw new HostcallException(
                    FastlyStatus.ERROR,
                    "register_dynamic_backend: " + backend.name()
                            + " (expected: a name not already used by a backend)");
        }
        dynamicBackends.put(backend.name(), backend);
    }

    /** Ends every body the guest left open, so streaming consumers see the end, and drops those it never read. */
    @Override
    public void close() {
        dropUnreadBody();
        asyncItems.clear(item -> {
            if (item instanceof Body body) {
                if (body.guestWritten()) {
                    body.endGuestWrites();
                } else {
                    // A client request or backend response body the guest kept: nobody reads it now.
                    body.discard();
                }
            }
        });
        requests.clear(r -> {});
        responses.clear(r -> {});
    }
}
