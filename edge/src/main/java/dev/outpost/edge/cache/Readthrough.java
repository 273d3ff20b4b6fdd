package dev.outpost.edge.cache;

import dev.outpost.edge.sandbox.Body;
import dev.outpost.edge.sandbox.CacheOverride;
import dev.outpost.edge.sandbox.PendingRequest.BackendResponse;
import dev.outpost.edge.sandbox.RequestState;
import dev.outpost.edge.sandbox.ResponseState;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The readthrough cache: what Fastly does with a backend request a guest sends with {@code send}/{@code send_async}
 * (Viceroy goes straight to the backend). GET and HEAD are looked up by URL and {@code Host}; concurrent misses of
 * one key collapse into one backend request; responses are stored per {@link HttpCachePolicy} and the request's
 * {@link CacheOverride}; a stale object within its stale-while-revalidate period is served while one request
 * revalidates it (conditionally, when it has validators), and one within stale-if-error stands in for a backend that
 * fails. Responses carry {@code X-Cache} ({@code HIT}/{@code MISS}) and {@code X-Cache-Hits}, hits also {@code Age};
 * {@code Surrogate-Key} and {@code Surrogate-Control} are removed unless the request has {@code Fastly-FF} or
 * {@code Fastly-Debug}, as on Fastly.
 */
public final class Readthrough {
    private static final Logger log = LoggerFactory.getLogger(Readthrough.class);

    /** Sends a request to the backend, uncached. */
    @FunctionalInterface
    public interface Sender {
        CompletableFuture<BackendResponse> send(RequestState request, Body body);
    }

    private final CacheStore store;
    private final Sender backend;

    public Readthrough(CacheStore store, Sender backend) {
        this.store = store;
        this.backend = backend;
    }

    /** Sends {@code request} through the cache. */
    public CompletableFuture<BackendResponse> send(RequestState request, Body body) {
        CacheOverride override = request.cacheOverride;
        if (override.pass() || !HttpCachePolicy.cacheableRequest(request.method)) {
            return backend.send(request, body).thenApply(r -> miss(request, r));
        }
        CacheKey key = CacheKey.http(HttpCachePolicy.cacheKey(request));
        return store.transactionLookup(key, request.headers).thenCompose(lookup -> {
            if (lookup.found() != null) {
                if (lookup.obligation() != null) {
                    revalidateInBackground(request, lookup.obligation());
                }
                return CompletableFuture.completedFuture(hit(request, lookup.found()));
            }
            if (lookup.obligation() == null) {
                // A hit-for-pass: this key's responses are not cacheable for now.
                return backend.send(request, body).thenApply(r -> miss(request, r));
            }
            return fetch(request, body, lookup);
        });
    }

    /** The obligated request: to the backend (HEAD as GET, so the object can be stored), then into the cache. */
    private CompletableFuture<BackendResponse> fetch(RequestState request, Body body, Lookup lookup) {
        Obligation obligation = lookup.obligation();
        RequestState toBackend = backendRequest(request, obligation);
        return backend.send(toBackend, body).handle((response, error) -> {
            if (error != null) {
                obligation.abandon();
                if (lookup.staleIfError() != null) {
                    log.debug(
                            "{} {}: backend failed, serving stale: {}", request.method, request.uri, error.toString());
                    return hit(request, lookup.staleIfError());
                }
                throw error instanceof CompletionException c ? c : new CompletionException(error);
            }
            return store(request, obligation, response, lookup.staleIfError());
        });
    }

    private void revalidateInBackground(RequestState request, Obligation obligation) {
        RequestState toBackend = backendRequest(request, obligation);
        backend.send(toBackend, Body.of(new byte[0])).whenComplete((response, error) -> {
            if (error != null) {
                obligation.abandon();
                log.debug("{} {}: background revalidation failed: {}", request.method, request.uri, error.toString());
            } else {
                store(request, obligation, response, null);
            }
        });
    }

    /**
     * The request a miss or a revalidation sends: GET for the whole object, without the client's conditional and range
     * headers (they are about the client's copy, not the cache's), with the stale object's validators when it has
     * some.
     */
    private static RequestState backendRequest(RequestState request, Obligation obligation) {
        RequestState out = new RequestState();
        out.method = "GET";
        out.uri = request.uri;
        out.version = request.version;
        out.headers = request.headers.copy();
        out.autoDecompress = request.autoDecompress;
        out.manualFraming = request.manualFraming;
        for (String name : CLIENT_CONDITIONALS) {
            out.headers.remove(name);
        }
        if (revalidating(obligation)) {
            HttpCachePolicy.addValidators(
                    out.headers, obligation.stale().write().response());
        }
        return out;
    }

    private static final List<String> CLIENT_CONDITIONALS =
            List.of("if-none-match", "if-modified-since", "if-match", "if-unmodified-since", "if-range", "range");

    /** Whether the obligation's request asks the backend to revalidate a stored response (it has validators). */
    private static boolean revalidating(Obligation obligation) {
        CachedObject stale = obligation.stale();
        return stale != null
                && stale.write().response() != null
                && !stale.body().abandoned()
                && HttpCachePolicy.hasValidators(stale.write().response());
    }

    /** Stores (or not) what the backend answered and returns what the guest sees. */
    private BackendResponse store(
            RequestState request, Obligation obligation, BackendResponse response, CachedObject staleIfError) {
        CachedObject stale = obligation.stale();
        boolean revalidating = revalidating(obligation);
        if (response.head().status >= 500 && staleIfError != null) {
            obligation.abandon();
            response.body().abandon();
            return hit(request, staleIfError);
        }
        HttpCachePolicy.Storage action = HttpCachePolicy.storage(response.head(), revalidating);
        switch (action) {
            case UPDATE -> {
                ResponseState head = HttpCachePolicy.freshened(stale.write().response(), response.head());
                CacheWrite write = HttpCachePolicy.override(HttpCachePolicy.suggested(head), request.cacheOverride);
                CachedObject fresh = obligation.update(write.withResponse(head));
                return miss(request, new BackendResponse(head(fresh), readBody(request, fresh)));
            }
            case INSERT -> {
                ResponseState head = HttpCachePolicy.copy(response.head());
                CacheWrite write = HttpCachePolicy.override(HttpCachePolicy.suggested(head), request.cacheOverride);
                CollectedBody body = CollectedBody.collecting(response.body(), write.length());
                CachedObject object = obligation.insert(write, body);
                return miss(request, new BackendResponse(head, readBody(request, object)));
            }
            case RECORD_UNCACHEABLE -> obligation.recordNotCacheable(HttpCachePolicy.HIT_FOR_PASS_NS);
            case DO_NOT_STORE -> obligation.abandon();
        }
        return miss(request, response);
    }

    private static Body readBody(RequestState request, CachedObject object) {
        return request.method.equals("HEAD")
                ? Body.of(new byte[0])
                : object.body().reader(null, null);
    }

    private static ResponseState head(CachedObject object) {
        return HttpCachePolicy.copy(object.write().response());
    }

    /** A response from the cache, with {@code Age}, {@code X-Cache: HIT} and its hit count. */
    private static BackendResponse hit(RequestState request, CachedObject object) {
        ResponseState head = head(object);
        head.remote = null;
        head.headers.insert("age", Long.toString(TimeUnit.NANOSECONDS.toSeconds(object.ageNs())));
        head.headers.insert("x-cache", "HIT");
        head.headers.insert("x-cache-hits", Long.toString(object.hits()));
        surrogateHeaders(request, head);
        return new BackendResponse(head, readBody(request, object));
    }

    private static BackendResponse miss(RequestState request, BackendResponse response) {
        ResponseState head = response.head();
        head.headers.insert("x-cache", "MISS");
        head.headers.insert("x-cache-hits", "0");
        surrogateHeaders(request, head);
        return response;
    }

    /** Fastly keeps its surrogate headers to itself unless the request asks ({@code Fastly-FF}, {@code Fastly-Debug}). */
    private static void surrogateHeaders(RequestState request, ResponseState head) {
        if (request.headers.first("fastly-ff") == null && request.headers.first("fastly-debug") == null) {
            head.headers.remove("surrogate-key");
            head.headers.remove("surrogate-control");
        }
    }
}
