package dev.outpost.edge.sandbox;

import java.util.concurrent.CompletableFuture;

/** A request sent to a backend whose response may not have arrived yet. */
public final class PendingRequest {
    private final CompletableFuture<BackendResponse> response;

    public PendingRequest(CompletableFuture<BackendResponse> response) {
        this.response = response;
    }

    public CompletableFuture<BackendResponse> response() {
        return response;
    }

    public boolean isReady() {
        return response.isDone();
    }

    /** A backend response: its head and its (streaming) body. */
    public record BackendResponse(ResponseState head, Body body) {}
}
