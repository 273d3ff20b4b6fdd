package dev.outpost.edge.hostcalls;

import dev.outpost.edge.abi.FastlyStatus;
import dev.outpost.edge.abi.GuestMemory;
import dev.outpost.edge.abi.HostcallException;
import dev.outpost.edge.config.KvEntry;
import dev.outpost.edge.sandbox.Body;
import dev.outpost.edge.sandbox.Sandbox;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * {@code fastly_object_store}: the older name of the KV store API (the Rust and Go SDKs still call it), over the same
 * stores as {@code fastly_kv_store}. As in Viceroy, a missing key leaves the body handle unwritten rather than failing,
 * and every "async" operation is complete when it returns.
 */
final class ObjectStoreHostcalls {
    private static final String M = "fastly_object_store";

    private final Sandbox s;

    private record Lookup(KvEntry entry) {}

    private record Inserted() {}

    private record Deleted(boolean existed) {}

    ObjectStoreHostcalls(Sandbox sandbox) {
        this.s = sandbox;
    }

    void register(HostcallTable t) {
        // open(name, name_len, store_out)
        t.fastly(M, "open", (m, a) -> {
            String name = Guest.string(m, a.i32(0), a.i32(1), "object store name");
            if (s.services().kvStore(name) == null) {
                throw HostcallException.inval("object store: " + name + " (expected: a store from fastly.toml)");
            }
            m.writeI32(a.i32(2), s.kvStores.insert(name));
        });
        // lookup(store, key, key_len, body_out)
        t.fastly(M, "lookup", (m, a) -> found(m, store(a.i32(0)).get(key(m, a.i32(1), a.i32(2))), a.i32(3)));
        // lookup_async(store, key, key_len, pending_out)
        t.fastly(M, "lookup_async", (m, a) -> {
            KvEntry entry = store(a.i32(0)).get(key(m, a.i32(1), a.i32(2)));
            m.writeI32(a.i32(3), s.asyncItems.insert(new Lookup(entry)));
        });
        // pending_lookup_wait(pending, body_out)
        t.fastly(M, "pending_lookup_wait", (m, a) -> {
            Lookup lookup = s.asyncItems.get(a.i32(0), Lookup.class, "pending object lookup");
            s.asyncItems.remove(a.i32(0));
            found(m, lookup.entry(), a.i32(1));
        });
        // insert(store, key, key_len, body)
        t.fastly(M, "insert", (m, a) -> insert(store(a.i32(0)), key(m, a.i32(1), a.i32(2)), a.i32(3)));
        // insert_async(store, key, key_len, body, pending_out)
        t.fastly(M, "insert_async", (m, a) -> {
            insert(store(a.i32(0)), key(m, a.i32(1), a.i32(2)), a.i32(3));
            m.writeI32(a.i32(4), s.asyncItems.insert(new Inserted()));
        });
        t.fastly(M, "pending_insert_wait", (m, a) -> {
            s.asyncItems.get(a.i32(0), Inserted.class, "pending object insert");
            s.asyncItems.remove(a.i32(0));
        });
        // delete_async(store, key, key_len, pending_out)
        t.fastly(M, "delete_async", (m, a) -> {
            boolean existed = store(a.i32(0)).remove(key(m, a.i32(1), a.i32(2))) != null;
            m.writeI32(a.i32(3), s.asyncItems.insert(new Deleted(existed)));
        });
        t.fastly(M, "pending_delete_wait", (m, a) -> {
            Deleted deleted = s.asyncItems.get(a.i32(0), Deleted.class, "pending object delete");
            s.asyncItems.remove(a.i32(0));
            if (!deleted.existed()) {
                throw new HostcallException(FastlyStatus.NONE, "object store delete: no such key");
            }
        });
    }

    private void found(GuestMemory m, KvEntry entry, int bodyOut) {
        if (entry != null) {
            m.writeI32(bodyOut, s.asyncItems.insert(Body.of(entry.value())));
        }
    }

    private void insert(ConcurrentSkipListMap<String, KvEntry> store, String key, int bodyHandle) {
        Body body = s.body(bodyHandle);
        s.asyncItems.remove(bodyHandle);
        body.endGuestWrites();
        try {
            store.put(key, new KvEntry(body.readAll(), null));
        } catch (InterruptedException e) {
            throw Guest.interrupted("object_store.insert", e);
        }
    }

    private ConcurrentSkipListMap<String, KvEntry> store(int handle) {
        return s.services().kvStore(s.kvStores.get(handle));
    }

    private static String key(GuestMemory m, int ptr, int len) {
        return KvStoreHostcalls.key(Guest.string(m, ptr, len, "key"));
    }
}
