package dev.outpost.edge.sandbox;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * A request sent to a backend whose response may not have arrived yet, and the header changes the guest queued for
 * that response ({@code pending_req_header_*}), applied when the guest takes it.
 */
public final class PendingRequest {
    private final CompletableFuture<BackendResponse> response;
    private final List<Consumer<HeaderList>> responseEdits = new ArrayList<>();

    public PendingRequest(CompletableFuture<BackendResponse> response) {
        this.response = response;
    }

    public CompletableFuture<BackendResponse> response() {
        return response;
    }

    public boolean isReady() {
        return response.isDone();
    }

    /** Queues a change to the response's headers. */
    public void editResponse(Consumer<HeaderList> edit) {
        responseEdits.add(edit);
    }

    /** Applies the queued changes to {@code head}'s headers. */
    public ResponseState applyEdits(ResponseState head) {
        responseEdits.forEach(edit -> edit.accept(head.headers));
        return head;
    }

    /** A backend response: its head and its (streaming) body. */
    public record BackendResponse(ResponseState head, Body body) {}
}
