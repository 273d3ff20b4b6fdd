package dev.outpost.edge.sandbox;

import java.time.Duration;

/** Supplies further client requests to a reusable sandbox ({@code fastly_http_downstream.next_request}). */
public interface RequestSource {
    /** One client request and where its response goes. */
    record Assignment(DownstreamRequest request, DownstreamResponder responder) {}

    /** Waits up to {@code wait} for the next request; null when none came. */
    Assignment next(Duration wait) throws InterruptedException;

    /** A source that never has another request. */
    RequestSource NONE = wait -> null;
}
