package dev.outpost.edge.hostcalls;

import dev.outpost.edge.abi.FastlyStatus;
import dev.outpost.edge.abi.HandleTable;
import dev.outpost.edge.abi.HostcallException;
import dev.outpost.edge.cache.CacheKey;
import dev.outpost.edge.cache.CacheStore;
import dev.outpost.edge.cache.CacheWrite;
import dev.outpost.edge.cache.CachedObject;
import dev.outpost.edge.cache.CollectedBody;
import dev.outpost.edge.cache.Lookup;
import dev.outpost.edge.sandbox.Body;
import dev.outpost.edge.sandbox.GuestCpu;
import dev.outpost.edge.sandbox.HeaderList;
import dev.outpost.edge.sandbox.Sandbox;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;

/**
 * The replace calls of {@code fastly_cache} (which Viceroy lacks): read the existing object, then write its
 * replacement with one of the three strategies of {@link CacheStore.ReplaceStrategy}.
 */
final class CacheReplaceHostcalls {
    private static final String M = "fastly_cache";
    // cache_replace_options_mask
    private static final int REQUEST_HEADERS = 1 << 1;
    private static final int STRATEGY = 1 << 2;
    private static final int SERVICE_ID = 1 << 3;
    private static final int ALWAYS_USE_REQUESTED_RANGE = 1 << 4;

    private final Sandbox s;
    private final CacheStore store;
    private final HandleTable<Replace> handles = new HandleTable<>("cache replace");
    private final List<Replace> started = new ArrayList<>();

    CacheReplaceHostcalls(Sandbox sandbox) {
        this.s = sandbox;
        this.store = sandbox.services().cache().store();
    }

    /** A replace in progress: the key, its request headers, what it found, and whether the replacement went in. */
    private static final class Replace {
        final CacheKey key;
        final HeaderList headers;
        final Lookup lookup;
        final CacheHostcalls.Entry reads;
        Body written;

        Replace(CacheKey key, HeaderList headers, Lookup lookup) {
            this.key = key;
            this.headers = headers;
            this.lookup = lookup;
            this.reads = new CacheHostcalls.Entry(lookup);
        }
    }

    void register(HostcallTable t) {
        // replace(key, key_len, options_mask, options, handle_out); options: request handle 0, strategy 4, service 8
        t.fastly(M, "replace", (m, a) -> {
            int mask = a.i32(2);
            int options = a.i32(3);
            CacheAbi.unsupportedBits(
                    mask,
                    REQUEST_HEADERS | STRATEGY | SERVICE_ID | ALWAYS_USE_REQUESTED_RANGE,
                    "cache replace options");
            if ((mask & SERVICE_ID) != 0) {
                throw new HostcallException(
                        FastlyStatus.UNSUPPORTED,
                        "cache replace on behalf of another service is not supported locally");
            }
            CacheKey key = CacheAbi.coreKey(m, a.i32(0), a.i32(1));
            HeaderList headers = (mask & REQUEST_HEADERS) != 0
                    ? s.requests.get(m.readI32(options)).headers.copy()
                    : new HeaderList();
            CacheStore.ReplaceStrategy strategy = CacheStore.ReplaceStrategy.IMMEDIATE;
            if ((mask & STRATEGY) != 0) {
                int value = m.readI32(options + 4);
                strategy = switch (value) {
                    case 1 -> CacheStore.ReplaceStrategy.IMMEDIATE;
                    case 2 -> CacheStore.ReplaceStrategy.IMMEDIATE_FORCE_MISS;
                    case 3 -> CacheStore.ReplaceStrategy.WAIT;
                    default ->
                        throw HostcallException.inval("replace strategy: " + value
                                + " (expected: 1 immediate, 2 immediate-force-miss or 3 wait)");
                };
            }
            Lookup lookup;
            try {
                lookup = GuestCpu.await(store.replace(key, headers, strategy));
            } catch (InterruptedException e) {
                throw Guest.interrupted("fastly_cache.replace", e);
            } catch (ExecutionException e) {
                throw new HostcallException(FastlyStatus.ERROR, "cache replace failed: " + e.getCause());
            }
            Replace replace = new Replace(key, headers, lookup);
            started.add(replace);
            m.writeI32(a.i32(4), handles.insert(replace));
        });
        // replace_insert(handle, options_mask, options, body_out)
        t.fastly(M, "replace_insert", (m, a) -> {
            Replace r = handles.get(a.i32(0));
            if (r.written != null) {
                throw new HostcallException(FastlyStatus.BADF, "replace_insert: the replacement was already inserted");
            }
            if ((a.i32(1) & CacheAbi.W_REQUEST_HEADERS) != 0) {
                throw HostcallException.inval(
                        "request headers in replace_insert's write options (expected: given to replace)");
            }
            CacheWrite write = CacheAbi.coreWrite(m, a.i32(1), a.i32(2));
            Body body = new Body();
            CollectedBody collected = CollectedBody.collecting(body, write.length());
            if (r.lookup.obligation() != null && !r.lookup.obligation().done()) {
                r.lookup.obligation().insert(write, collected);
            } else {
                store.insert(r.key, r.headers, write, collected);
            }
            r.written = body;
            m.writeI32(a.i32(3), s.asyncItems.insert(body));
        });
        t.fastly(M, "replace_get_state", (m, a) -> {
            Replace r = handles.get(a.i32(0));
            // A replace always carries the duty to insert until it did; the SDKs expect a state even with no object.
            int state = r.lookup.found() == null ? 0 : new Lookup(r.lookup.found(), null, null).state();
            m.writeI32(a.i32(1), r.written == null ? state | Lookup.MUST_INSERT_OR_UPDATE : state);
        });
        t.fastly(
                M,
                "replace_get_user_metadata",
                (m, a) -> m.writeOut(
                        a.i32(1), a.i32(2), existing(a.i32(0)).write().userMetadata(), a.i32(3)));
        // replace_get_body(handle, options_mask, options, body_out)
        t.fastly(M, "replace_get_body", (m, a) -> {
            Replace r = handles.get(a.i32(0));
            m.writeI32(
                    a.i32(3),
                    CacheHostcalls.readBody(s, r.reads, CacheAbi.found(r.lookup.found()), m, a.i32(1), a.i32(2)));
        });
        t.fastly(M, "replace_get_length", (m, a) -> {
            Long length = existing(a.i32(0)).length();
            if (length == null) {
                throw new HostcallException(FastlyStatus.NONE, "replace_get_length: the length is not known yet");
            }
            m.writeI64(a.i32(1), length);
        });
        t.fastly(
                M,
                "replace_get_age_ns",
                (m, a) -> m.writeI64(a.i32(1), existing(a.i32(0)).ageNs()));
        t.fastly(
                M,
                "replace_get_hits",
                (m, a) -> m.writeI64(a.i32(1), existing(a.i32(0)).hits()));
        t.fastly(
                M,
                "replace_get_max_age_ns",
                (m, a) -> m.writeI64(a.i32(1), existing(a.i32(0)).write().maxAgeNs()));
        t.fastly(
                M,
                "replace_get_stale_while_revalidate_ns",
                (m, a) -> m.writeI64(a.i32(1), existing(a.i32(0)).write().staleWhileRevalidateNs()));
        t.onClose(this::close);
    }

    private CachedObject existing(int handle) {
        return CacheAbi.found(handles.get(handle).lookup.found());
    }

    /** The guest ended: a replacement it did not finish writing is not served, a wait it held is released. */
    private void close() {
        for (Replace r : started) {
            if (r.written != null && !r.written.finished()) {
                r.written.abandon();
            }
            if (r.lookup.obligation() != null) {
                r.lookup.obligation().abandon();
            }
        }
        handles.clear(r -> {});
    }
}
