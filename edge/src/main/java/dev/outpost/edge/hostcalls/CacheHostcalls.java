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
import dev.outpost.edge.cache.Lookup;
import dev.outpost.edge.cache.Obligation;
import dev.outpost.edge.sandbox.AsyncItem;
import dev.outpost.edge.sandbox.Body;
import dev.outpost.edge.sandbox.GuestCpu;
import dev.outpost.edge.sandbox.HeaderList;
import dev.outpost.edge.sandbox.Sandbox;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * {@code fastly_cache}, the core cache: lookups, inserts, transactions (request collapsing, revalidation) and the
 * found object's metadata and body, over the app's {@link CacheStore}. The replace calls are in
 * {@link CacheReplaceHostcalls}. Obligations and insert bodies the guest leaves open are given up when it ends, so
 * no other client waits for a guest that is gone and no half-written object is served.
 */
final class CacheHostcalls {
    private static final String M = "fastly_cache";

    private final Sandbox s;
    private final CacheStore store;
    private final HandleTable<Entry> handles = new HandleTable<>("cache");
    /** What this guest started: obligations to release and insert bodies to abandon if it leaves them open. */
    private final List<Obligation> obligations = new ArrayList<>();

    private final List<Body> writes = new ArrayList<>();

    private final List<Busy> busies = new ArrayList<>();

    CacheHostcalls(Sandbox sandbox) {
        this.s = sandbox;
        this.store = sandbox.services().cache().store();
    }

    /** A cache handle: a lookup's result and the body last read from it (object and handle). */
    static final class Entry {
        Lookup lookup;
        Body lastBody;
        int lastBodyHandle;

        Entry(Lookup lookup) {
            this.lookup = lookup;
        }
    }

    /** A transaction lookup that may still be waiting for another client ({@code cache_busy_handle}). */
    static final class Busy implements AsyncItem {
        final CompletableFuture<Lookup> future;
        boolean taken;

        Busy(CompletableFuture<Lookup> future) {
            this.future = future;
        }

        @Override
        public boolean isReady() {
            return future.isDone();
        }

        @Override
        public CompletableFuture<?> whenReady() {
            return future;
        }
    }

    void register(HostcallTable t) {
        // lookup(key, key_len, options_mask, options, handle_out)
        t.fastly(M, "lookup", (m, a) -> {
            HeaderList headers = CacheAbi.lookupHeaders(s, m, a.i32(2), a.i32(3));
            CacheKey key = CacheAbi.coreKey(m, a.i32(0), a.i32(1));
            m.writeI32(a.i32(4), handles.insert(new Entry(store.lookup(key, headers))));
        });
        // insert(key, key_len, options_mask, options, body_out)
        t.fastly(M, "insert", (m, a) -> {
            CacheKey key = CacheAbi.coreKey(m, a.i32(0), a.i32(1));
            int mask = a.i32(2);
            HeaderList headers = CacheAbi.writeHeaders(s, m, mask, a.i32(3));
            CacheWrite write = CacheAbi.coreWrite(m, mask & ~CacheAbi.W_REQUEST_HEADERS, a.i32(3));
            Body body = newWrite();
            store.insert(key, headers, write, CollectedBody.collecting(body, write.length()));
            m.writeI32(a.i32(4), s.asyncItems.insert(body));
        });
        // transaction_lookup(key, key_len, options_mask, options, handle_out)
        t.fastly(M, "transaction_lookup", (m, a) -> {
            Busy busy = startTransaction(m, a.i32(0), a.i32(1), a.i32(2), a.i32(3));
            m.writeI32(a.i32(4), handles.insert(new Entry(take(busy))));
        });
        // transaction_lookup_async(key, key_len, options_mask, options, busy_out)
        t.fastly(M, "transaction_lookup_async", (m, a) -> {
            Busy busy = startTransaction(m, a.i32(0), a.i32(1), a.i32(2), a.i32(3));
            m.writeI32(a.i32(4), s.asyncItems.insert(busy));
        });
        // cache_busy_handle_wait(busy, handle_out): the busy handle stays valid for close_busy, as on Viceroy.
        t.fastly(M, "cache_busy_handle_wait", (m, a) -> {
            Busy busy = s.asyncItems.get(a.i32(0), Busy.class, "cache busy");
            if (busy.taken) {
                throw HostcallException.badHandle("cache busy (already waited for)", a.i32(0));
            }
            m.writeI32(a.i32(1), handles.insert(new Entry(take(busy))));
        });
        t.fastly(M, "close_busy", (m, a) -> {
            Busy busy = s.asyncItems.get(a.i32(0), Busy.class, "cache busy");
            s.asyncItems.remove(a.i32(0));
            release(busy);
        });
        // transaction_insert(handle, options_mask, options, body_out)
        t.fastly(M, "transaction_insert", (m, a) -> {
            Entry e = handles.get(a.i32(0));
            Body body = insert(m, e, a.i32(1), a.i32(2)).body;
            m.writeI32(a.i32(3), s.asyncItems.insert(body));
        });
        // transaction_insert_and_stream_back(handle, options_mask, options, body_out, handle_out)
        t.fastly(M, "transaction_insert_and_stream_back", (m, a) -> {
            Entry e = handles.get(a.i32(0));
            Inserted inserted = insert(m, e, a.i32(1), a.i32(2));
            m.writeI32(a.i32(3), s.asyncItems.insert(inserted.body));
            m.writeI32(a.i32(4), handles.insert(new Entry(new Lookup(inserted.object, null, null))));
        });
        // transaction_update(handle, options_mask, options)
        t.fastly(M, "transaction_update", (m, a) -> {
            Entry e = handles.get(a.i32(0));
            Obligation o = obligation(e);
            if (o.stale() == null) {
                throw new HostcallException(
                        FastlyStatus.BADF, "transaction_update: no object to update (the lookup found none; insert)");
            }
            o.update(transactionWrite(m, a.i32(1), a.i32(2)));
        });
        t.fastly(
                M,
                "transaction_cancel",
                (m, a) -> obligation(handles.get(a.i32(0))).abandon());
        t.fastly(M, "close", (m, a) -> {
            Entry e = handles.remove(a.i32(0));
            if (e.lookup.obligation() != null) {
                e.lookup.obligation().abandon();
            }
        });
        // get_state(handle, state_out)
        t.fastly(
                M,
                "get_state",
                (m, a) -> m.writeI32(a.i32(1), handles.get(a.i32(0)).lookup.state()));
        // get_user_metadata(handle, buf, buf_len, nwritten_out)
        t.fastly(
                M,
                "get_user_metadata",
                (m, a) -> m.writeOut(a.i32(1), a.i32(2), found(a.i32(0)).write().userMetadata(), a.i32(3)));
        // get_body(handle, options_mask, options, body_out)
        t.fastly(M, "get_body", (m, a) -> {
            Entry e = handles.get(a.i32(0));
            m.writeI32(a.i32(3), readBody(s, e, CacheAbi.found(e.lookup.found()), m, a.i32(1), a.i32(2)));
        });
        t.fastly(M, "get_length", (m, a) -> {
            Long length = found(a.i32(0)).length();
            if (length == null) {
                throw new HostcallException(FastlyStatus.NONE, "get_length: the length is not known yet");
            }
            m.writeI64(a.i32(1), length);
        });
        t.fastly(
                M,
                "get_max_age_ns",
                (m, a) -> m.writeI64(a.i32(1), found(a.i32(0)).write().maxAgeNs()));
        t.fastly(
                M,
                "get_stale_while_revalidate_ns",
                (m, a) -> m.writeI64(a.i32(1), found(a.i32(0)).write().staleWhileRevalidateNs()));
        t.fastly(M, "get_age_ns", (m, a) -> m.writeI64(a.i32(1), found(a.i32(0)).ageNs()));
        t.fastly(M, "get_hits", (m, a) -> m.writeI64(a.i32(1), found(a.i32(0)).hits()));
        t.onClose(this::close);
    }

    private CachedObject found(int handle) {
        return CacheAbi.found(handles.get(handle).lookup.found());
    }

    private Busy startTransaction(GuestMemory m, int keyPtr, int keyLen, int mask, int options) {
        HeaderList headers = CacheAbi.lookupHeaders(s, m, mask, options);
        CacheKey key = CacheAbi.coreKey(m, keyPtr, keyLen);
        Busy busy = new Busy(store.transactionLookup(key, headers));
        busies.add(busy);
        return busy;
    }

    /** Waits for a transaction lookup (the guest's time limit interrupts a wait that lasts too long). */
    private Lookup take(Busy busy) {
        Lookup lookup;
        try {
            lookup = GuestCpu.await(busy.future);
        } catch (InterruptedException e) {
            throw Guest.interrupted("fastly_cache transaction lookup", e);
        } catch (ExecutionException e) {
            throw new HostcallException(FastlyStatus.ERROR, "cache lookup failed: " + e.getCause());
        }
        busy.taken = true;
        if (lookup.obligation() != null) {
            obligations.add(lookup.obligation());
        }
        return lookup;
    }

    /** A busy handle closed unwaited: withdraw, and pass on an obligation it may have received meanwhile. */
    private static void release(Busy busy) {
        if (busy.taken) {
            return;
        }
        busy.taken = true;
        if (!busy.future.cancel(false)) {
            Lookup lookup = busy.future.getNow(null);
            if (lookup != null && lookup.obligation() != null) {
                lookup.obligation().abandon();
            }
        }
    }

    private static Obligation obligation(Entry e) {
        Obligation o = e.lookup.obligation();
        if (o == null || o.done()) {
            throw new HostcallException(
                    FastlyStatus.BADF,
                    "cache handle: no obligation to insert or update (the lookup found a usable object, or the"
                            + " transaction was already completed or cancelled)");
        }
        return o;
    }

    private CacheWrite transactionWrite(GuestMemory m, int mask, int options) {
        if ((mask & CacheAbi.W_REQUEST_HEADERS) != 0) {
            throw HostcallException.inval(
                    "request headers in a transaction's write options (expected: given at lookup, they cannot change)");
        }
        return CacheAbi.coreWrite(m, mask, options);
    }

    private record Inserted(Body body, CachedObject object) {}

    private Inserted insert(GuestMemory m, Entry e, int mask, int options) {
        Obligation o = obligation(e);
        CacheWrite write = transactionWrite(m, mask, options);
        Body body = newWrite();
        CachedObject object = o.insert(write, CollectedBody.collecting(body, write.length()));
        return new Inserted(body, object);
    }

    /** A body the guest writes an object into. */
    private Body newWrite() {
        Body body = new Body();
        writes.add(body);
        return body;
    }

    /**
     * A body over the found object ({@code get_body}, {@code replace_get_body}): one at a time per handle, as on
     * Fastly: the previous one must be closed first.
     */
    static int readBody(Sandbox s, Entry e, CachedObject found, GuestMemory m, int mask, int options) {
        Long[] range = CacheAbi.range(m, mask, options);
        if (e.lastBody != null
                && s.asyncItems.contains(e.lastBodyHandle)
                && s.asyncItems.get(e.lastBodyHandle) == e.lastBody) {
            throw new HostcallException(
                    FastlyStatus.BADF,
                    "get_body: the body read before from this cache handle is still open (expected: close it first)");
        }
        Body body = found.body().reader(range[0], range[1]);
        e.lastBody = body;
        e.lastBodyHandle = s.asyncItems.insert(body);
        return e.lastBodyHandle;
    }

    /** The guest ended: no collapsed client waits for it, and what it did not finish writing is not served. */
    private void close() {
        for (Body body : writes) {
            if (!body.finished()) {
                body.abandon();
            }
        }
        busies.forEach(CacheHostcalls::release);
        for (Obligation o : obligations) {
            o.abandon();
        }
        handles.clear(e -> {});
    }
}
