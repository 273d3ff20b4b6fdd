package dev.outpost.edge.sandbox;

import java.util.concurrent.CompletableFuture;

/**
 * An async item other than a body or a pending request (a cache lookup waiting for another client, say) that
 * {@code fastly_async_io} can poll and wait for.
 */
public interface AsyncItem {
    /** Whether waiting on it would not block now. */
    boolean isReady();

    /** Completes when it becomes ready. */
    CompletableFuture<?> whenReady();
}
