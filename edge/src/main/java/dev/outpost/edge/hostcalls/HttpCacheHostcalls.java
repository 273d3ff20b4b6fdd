package dev.outpost.edge.hostcalls;

import dev.outpost.edge.abi.FastlyStatus;
import dev.outpost.edge.abi.GuestMemory;
import dev.outpost.edge.abi.HandleTable;
import dev.outpost.edge.abi.HostcallException;
import dev.outpost.edge.cache.CacheKey;
import dev.outpost.edge.cache.CacheStore;
import dev.outpost.edge.cache.CacheWrite;
import dev.outpost.edge.cache.CachedObject;
import dev.outpost.edge.cache.CollectedBody;
import dev.outpost.edge.cache.HttpCachePolicy;
import dev.outpost.edge.cache.Lookup;
import dev.outpost.edge.cache.Obligation;
import dev.outpost.edge.sandbox.Body;
import dev.outpost.edge.sandbox.CacheOverride;
import dev.outpost.edge.sandbox.GuestCpu;
import dev.outpost.edge.sandbox.RequestState;
import dev.outpost.edge.sandbox.ResponseState;
import dev.outpost.edge.sandbox.Sandbox;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * {@code fastly_http_cache} (which Viceroy lacks): the HTTP cache under the guest's control, as SDKs use it for their
 * before-send and after-send hooks. Same store and keys as the readthrough cache, so both see each other's objects; the
 * HTTP semantics the suggestions follow are {@link HttpCachePolicy}'s.
 */
final class HttpCacheHostcalls {
    private static final String M = "fastly_http_cache";

    private final Sandbox s;
    private final CacheStore store;
    private final HandleTable<Tx> handles = new HandleTable<>("http cache");
    private final List<Obligation> obligations = new ArrayList<>();
    private final List<Body> writes = new ArrayList<>();

    HttpCacheHostcalls(Sandbox sandbox) {
        this.s = sandbox;
        this.store = sandbox.services().cache().store();
    }

    /** An HTTP cache handle: the looked-up request and what the lookup found. */
    private static final class Tx {
        final RequestState request;
        Lookup lookup;

        Tx(RequestState request, Lookup lookup) {
            this.request = request;
            this.lookup = lookup;
        }
    }

    void register(HostcallTable t) {
        // is_request_cacheable(req, out)
        t.fastly(
                M,
                "is_request_cacheable",
                (m, a) -> m.writeI32(
                        a.i32(1), HttpCachePolicy.cacheableRequest(s.requests.get(a.i32(0)).method) ? 1 : 0));
        // get_suggested_cache_key(req, buf, buf_len, nwritten_out)
        t.fastly(
                M,
                "get_suggested_cache_key",
                (m, a) -> m.writeOut(a.i32(1), a.i32(2), HttpCachePolicy.cacheKey(s.requests.get(a.i32(0))), a.i32(3)));
        // lookup(req, options_mask, options, handle_out): no collapsing
        t.fastly(M, "lookup", (m, a) -> {
            RequestState req = copy(s.requests.get(a.i32(0)));
            Lookup lookup = store.lookup(key(m, req, a.i32(1), a.i32(2)), req.headers);
            m.writeI32(a.i32(3), handles.insert(new Tx(req, lookup)));
        });
        // transaction_lookup(req, options_mask, options, handle_out)
        t.fastly(M, "transaction_lookup", (m, a) -> {
            RequestState req = copy(s.requests.get(a.i32(0)));
            Lookup lookup;
            try {
                lookup = GuestCpu.await(store.transactionLookup(key(m, req, a.i32(1), a.i32(2)), req.headers));
            } catch (InterruptedException e) {
                throw Guest.interrupted("fastly_http_cache.transaction_lookup", e);
            } catch (ExecutionException e) {
                throw new HostcallException(FastlyStatus.ERROR, "http cache lookup failed: " + e.getCause());
            }
            if (lookup.obligation() != null) {
                obligations.add(lookup.obligation());
            }
            m.writeI32(a.i32(3), handles.insert(new Tx(req, lookup)));
        });
        // transaction_insert(handle, resp, options_mask, options, body_out)
        t.fastly(M, "transaction_insert", (m, a) -> {
            Tx tx = handles.get(a.i32(0));
            m.writeI32(a.i32(4), s.asyncItems.insert(insert(m, tx, a.i32(1), a.i32(2), a.i32(3)).body));
        });
        // transaction_insert_and_stream_back(handle, resp, options_mask, options, body_out, handle_out)
        t.fastly(M, "transaction_insert_and_stream_back", (m, a) -> {
            Tx tx = handles.get(a.i32(0));
            Inserted inserted = insert(m, tx, a.i32(1), a.i32(2), a.i32(3));
            m.writeI32(a.i32(4), s.asyncItems.insert(inserted.body));
            m.writeI32(a.i32(5), handles.insert(new Tx(tx.request, new Lookup(inserted.object, null, null))));
        });
        // transaction_update(handle, resp, options_mask, options)
        t.fastly(M, "transaction_update", (m, a) -> update(m, handles.get(a.i32(0)), a.i32(1), a.i32(2), a.i32(3)));
        // transaction_update_and_return_fresh(handle, resp, options_mask, options, handle_out)
        t.fastly(M, "transaction_update_and_return_fresh", (m, a) -> {
            Tx tx = handles.get(a.i32(0));
            CachedObject fresh = update(m, tx, a.i32(1), a.i32(2), a.i32(3));
            m.writeI32(a.i32(4), handles.insert(new Tx(tx.request, new Lookup(fresh, null, null))));
        });
        // transaction_choose_stale(handle): serve the stale-if-error object; the cache stays as it is.
        t.fastly(M, "transaction_choose_stale", (m, a) -> {
            Tx tx = handles.get(a.i32(0));
            Obligation o = obligation(tx);
            CachedObject stale = tx.lookup.staleIfError();
            if (stale == null) {
                throw new HostcallException(
                        FastlyStatus.BADF, "transaction_choose_stale: no stale response usable if revalidation fails");
            }
            o.abandon();
            tx.lookup = new Lookup(stale, null, null);
        });
        // transaction_record_not_cacheable(handle, options_mask, options): a hit-for-pass for the max age.
        t.fastly(M, "transaction_record_not_cacheable", (m, a) -> {
            Tx tx = handles.get(a.i32(0));
            Obligation o = obligation(tx);
            CacheWrite w = HttpCacheAbi.write(m, a.i32(1), a.i32(2), null);
            o.recordNotCacheable(w.maxAgeNs());
        });
        t.fastly(
                M,
                "transaction_abandon",
                (m, a) -> obligation(handles.get(a.i32(0))).abandon());
        t.fastly(M, "close", (m, a) -> {
            Tx tx = handles.remove(a.i32(0));
            if (tx.lookup.obligation() != null) {
                tx.lookup.obligation().abandon();
            }
        });
        // get_suggested_backend_request(handle, req_out)
        t.fastly(M, "get_suggested_backend_request", (m, a) -> {
            Tx tx = handles.get(a.i32(0));
            m.writeI32(a.i32(1), s.requests.insert(backendRequest(tx)));
        });
        // get_suggested_cache_options(handle, resp, options_mask, options, options_mask_out, options_out)
        t.fastly(M, "get_suggested_cache_options", (m, a) -> {
            handles.get(a.i32(0));
            CacheWrite suggested = HttpCachePolicy.suggested(s.responses.get(a.i32(1)));
            HttpCacheAbi.writeSuggested(m, suggested, a.i32(2), a.i32(3), a.i32(4), a.i32(5));
        });
        // prepare_response_for_storage(handle, resp, storage_action_out, resp_out)
        t.fastly(M, "prepare_response_for_storage", (m, a) -> {
            Tx tx = handles.get(a.i32(0));
            ResponseState response = s.responses.get(a.i32(1));
            boolean revalidating = revalidating(tx);
            HttpCachePolicy.Storage action = HttpCachePolicy.storage(response, revalidating);
            ResponseState prepared = action == HttpCachePolicy.Storage.UPDATE
                    ? HttpCachePolicy.freshened(stale(tx).write().response(), response)
                    : HttpCachePolicy.copy(response);
            m.writeI32(a.i32(2), action.ordinal());
            m.writeI32(a.i32(3), s.responses.insert(prepared));
        });
        // get_found_response(handle, transform_for_client, resp_out, body_out)
        t.fastly(M, "get_found_response", (m, a) -> {
            Tx tx = handles.get(a.i32(0));
            CachedObject found = found(tx);
            ResponseState head = HttpCachePolicy.copy(found.write().response());
            head.remote = null;
            if (a.i32(1) != 0) {
                head.headers.insert("age", Long.toString(TimeUnit.NANOSECONDS.toSeconds(found.ageNs())));
            }
            Body body = tx.request.method.equals("HEAD")
                    ? Body.of(new byte[0])
                    : found.body().reader(null, null);
            m.writeI32(a.i32(2), s.responses.insert(head));
            m.writeI32(a.i32(3), s.asyncItems.insert(body));
        });
        t.fastly(
                M,
                "get_state",
                (m, a) -> m.writeI32(a.i32(1), handles.get(a.i32(0)).lookup.state()));
        t.fastly(M, "get_length", (m, a) -> {
            Long length = found(handles.get(a.i32(0))).length();
            if (length == null) {
                throw new HostcallException(FastlyStatus.NONE, "get_length: the length is not known yet");
            }
            m.writeI64(a.i32(1), length);
        });
        t.fastly(
                M,
                "get_max_age_ns",
                (m, a) -> m.writeI64(a.i32(1), write(a.i32(0)).maxAgeNs()));
        t.fastly(
                M,
                "get_stale_while_revalidate_ns",
                (m, a) -> m.writeI64(a.i32(1), write(a.i32(0)).staleWhileRevalidateNs()));
        t.fastly(
                M,
                "get_stale_if_error_ns",
                (m, a) -> m.writeI64(a.i32(1), write(a.i32(0)).staleIfErrorNs()));
        t.fastly(
                M,
                "get_age_ns",
                (m, a) -> m.writeI64(a.i32(1), found(handles.get(a.i32(0))).ageNs()));
        t.fastly(
                M,
                "get_hits",
                (m, a) -> m.writeI64(a.i32(1), found(handles.get(a.i32(0))).hits()));
        t.fastly(
                M,
                "get_sensitive_data",
                (m, a) -> m.writeI32(a.i32(1), write(a.i32(0)).sensitive() ? 1 : 0));
        // get_surrogate_keys(handle, buf, buf_len, nwritten_out), get_vary_rule likewise: space-separated
        t.fastly(
                M,
                "get_surrogate_keys",
                (m, a) -> m.writeOut(
                        a.i32(1), a.i32(2), String.join(" ", write(a.i32(0)).surrogateKeys()), a.i32(3)));
        t.fastly(
                M,
                "get_vary_rule",
                (m, a) -> m.writeOut(
                        a.i32(1), a.i32(2), write(a.i32(0)).varyRule().spaced(), a.i32(3)));
        t.onClose(this::close);
    }

    private CacheKey key(GuestMemory m, RequestState req, int mask, int options) {
        CacheKey override = HttpCacheAbi.overrideKey(m, mask, options);
        return override != null ? override : CacheKey.http(HttpCachePolicy.cacheKey(req));
    }

    private static RequestState copy(RequestState req) {
        RequestState out = new RequestState();
        out.method = req.method;
        out.uri = req.uri;
        out.version = req.version;
        out.headers = req.headers.copy();
        out.autoDecompress = req.autoDecompress;
        out.manualFraming = req.manualFraming;
        out.cacheOverride = req.cacheOverride;
        return out;
    }

    private static CachedObject found(Tx tx) {
        return CacheAbi.found(tx.lookup.found());
    }

    private CacheWrite write(int handle) {
        return found(handles.get(handle)).write();
    }

    private static Obligation obligation(Tx tx) {
        Obligation o = tx.lookup.obligation();
        if (o == null || o.done()) {
            throw new HostcallException(
                    FastlyStatus.BADF,
                    "http cache handle: no obligation to insert or update (the lookup found a fresh response, or the"
                            + " transaction was already completed)");
        }
        return o;
    }

    private static CachedObject stale(Tx tx) {
        Obligation o = tx.lookup.obligation();
        return o == null ? null : o.stale();
    }

    /** Whether the suggested backend request revalidates a stored response (it carries that response's validators). */
    private static boolean revalidating(Tx tx) {
        CachedObject stale = stale(tx);
        return stale != null
                && stale.write().response() != null
                && HttpCachePolicy.hasValidators(stale.write().response());
    }

    /**
     * The request to send on a miss: the looked-up request as GET (to store the whole object) without the client's
     * conditional and range headers, with the stale response's validators when revalidating.
     */
    private static RequestState backendRequest(Tx tx) {
        RequestState out = copy(tx.request);
        out.method = "GET";
        for (String name :
                List.of("if-none-match", "if-modified-since", "if-match", "if-unmodified-since", "if-range", "range")) {
            out.headers.remove(name);
        }
        if (revalidating(tx)) {
            HttpCachePolicy.addValidators(out.headers, stale(tx).write().response());
        }
        out.cacheOverride = CacheOverride.NONE;
        return out;
    }

    private record Inserted(Body body, CachedObject object) {}

    /** Stores the response (consuming its handle); the guest writes the body into the returned body. */
    private Inserted insert(GuestMemory m, Tx tx, int resp, int mask, int options) {
        Obligation o = obligation(tx);
        ResponseState head = HttpCachePolicy.copy(s.responses.get(resp));
        CacheWrite write = HttpCacheAbi.write(m, mask, options, head);
        s.responses.remove(resp);
        Body body = new Body();
        writes.add(body);
        return new Inserted(body, o.insert(write, CollectedBody.collecting(body, write.length())));
    }

    /** Freshens the stale response with {@code resp}'s head (consumed), keeping its body. */
    private CachedObject update(GuestMemory m, Tx tx, int resp, int mask, int options) {
        Obligation o = obligation(tx);
        if (o.stale() == null || o.stale().write().response() == null) {
            throw new HostcallException(
                    FastlyStatus.BADF, "transaction_update: no stored response to update (the lookup found none)");
        }
        ResponseState head = HttpCachePolicy.copy(s.responses.get(resp));
        CacheWrite write = HttpCacheAbi.write(m, mask, options, head);
        s.responses.remove(resp);
        return o.update(write);
    }

    /** The guest ended: no collapsed request waits for it, and a response it did not finish storing is not served. */
    private void close() {
        for (Body body : writes) {
            if (!body.finished()) {
                body.abandon();
            }
        }
        for (Obligation o : obligations) {
            o.abandon();
        }
        handles.clear(tx -> {});
    }
}
