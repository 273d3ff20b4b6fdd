package dev.outpost.edge.hostcalls;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.outpost.edge.abi.HostcallException;
import dev.outpost.edge.config.KvEntry;
import dev.outpost.edge.sandbox.Body;
import dev.outpost.edge.sandbox.Sandbox;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * {@code fastly_kv_store}: in-memory stores seeded from {@code fastly.toml}. Every operation completes at once; its
 * "pending" handle just carries the result to the matching {@code *_wait}.
 */
final class KvStoreHostcalls {
    private static final String M = "fastly_kv_store";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int KV_OK = 1;
    private static final int KV_BAD_REQUEST = 2;
    private static final int KV_NOT_FOUND = 3;
    private static final int KV_PRECONDITION_FAILED = 4;

    private final Sandbox s;

    private record Lookup(KvEntry entry) {}

    private record Done(int kvError) {}

    private record Listing(byte[] json) {}

    KvStoreHostcalls(Sandbox sandbox) {
        this.s = sandbox;
    }

    void register(HostcallTable t) {
        // open(name, name_len, handle_out)
        t.fastly(M, "open", (m, a) -> {
            String name = Guest.string(m, a.i32(0), a.i32(1), "kv store name");
            if (s.services().kvStore(name) == null) {
                throw HostcallException.inval("kv store: " + name + " (expected: a store from fastly.toml)");
            }
            m.writeI32(a.i32(2), s.kvStores.insert(name));
        });
        // lookup(store, key, key_len, mask, config, handle_out)
        t.fastly(M, "lookup", (m, a) -> {
            var store = store(a.i32(0));
            String key = key(Guest.string(m, a.i32(1), a.i32(2), "key"));
            m.writeI32(a.i32(5), s.asyncItems.insert(new Lookup(store.get(key))));
        });
        // lookup_wait(_v2)(handle, body_out, metadata_buf, metadata_len, nwritten_out, generation_out, kv_error_out)
        for (String name : new String[] {"lookup_wait", "lookup_wait_v2"}) {
            boolean v2 = name.endsWith("v2");
            t.fastly(M, name, (m, a) -> {
                Lookup lookup = s.asyncItems.get(a.i32(0), Lookup.class, "kv lookup");
                KvEntry entry = lookup.entry();
                if (entry == null) {
                    s.asyncItems.remove(a.i32(0));
                    m.writeI32(a.i32(6), KV_NOT_FOUND);
                    return;
                }
                byte[] metadata = entry.metadata() == null
                        ? new byte[0]
                        : entry.metadata().getBytes(StandardCharsets.UTF_8);
                // Checked first, so a too-small metadata buffer can be retried with the same handle.
                m.writeOut(a.i32(2), a.i32(3), metadata, a.i32(4));
                s.asyncItems.remove(a.i32(0));
                m.writeI32(a.i32(1), s.asyncItems.insert(Body.of(entry.value())));
                if (v2) {
                    m.writeI64(a.i32(5), 0);
                } else {
                    m.writeI32(a.i32(5), 0);
                }
                m.writeI32(a.i32(6), KV_OK);
            });
        }
        // insert(store, key, key_len, body, mask, config, handle_out)
        t.fastly(M, "insert", (m, a) -> {
            var store = store(a.i32(0));
            String key = key(Guest.string(m, a.i32(1), a.i32(2), "key"));
            Body body = s.body(a.i32(3));
            s.asyncItems.remove(a.i32(3));
            int mask = a.i32(4);
            int config = a.i32(5);
            int mode = 0;
            String metadata = null;
            if (config != 0) {
                mode = m.readI32(config);
                if ((mask & (1 << 3)) != 0) {
                    metadata = Guest.string(m, m.readI32(config + 8), m.readI32(config + 12), "metadata");
                }
            }
            byte[] value;
            try {
                body.endGuestWrites();
                value = body.readAll();
            } catch (InterruptedException e) {
                throw Guest.interrupted("kv_store.insert", e);
            }
            int result = KV_OK;
            KvEntry old = store.get(key);
            switch (mode) {
                case 0 -> store.put(key, new KvEntry(value, metadata));
                case 1 -> {
                    if (store.putIfAbsent(key, new KvEntry(value, metadata)) != null) {
                        result = KV_PRECONDITION_FAILED;
                    }
                }
                case 2 ->
                    store.put(
                            key,
                            new KvEntry(
                                    concat(old == null ? new byte[0] : old.value(), value),
                                    metadata != null ? metadata : old == null ? null : old.metadata()));
                case 3 ->
                    store.put(
                            key,
                            new KvEntry(
                                    concat(value, old == null ? new byte[0] : old.value()),
                                    metadata != null ? metadata : old == null ? null : old.metadata()));
                default -> result = KV_BAD_REQUEST;
            }
            m.writeI32(a.i32(6), s.asyncItems.insert(new Done(result)));
        });
        // delete(store, key, key_len, mask, config, handle_out)
        t.fastly(M, "delete", (m, a) -> {
            var store = store(a.i32(0));
            String key = key(Guest.string(m, a.i32(1), a.i32(2), "key"));
            int result = store.remove(key) != null ? KV_OK : KV_NOT_FOUND;
            m.writeI32(a.i32(5), s.asyncItems.insert(new Done(result)));
        });
        // insert_wait / delete_wait(handle, kv_error_out)
        for (String name : new String[] {"insert_wait", "delete_wait"}) {
            t.fastly(M, name, (m, a) -> {
                Done done = s.asyncItems.get(a.i32(0), Done.class, "kv operation");
                s.asyncItems.remove(a.i32(0));
                m.writeI32(a.i32(1), done.kvError());
            });
        }
        // list(store, mask, config, handle_out)
        t.fastly(M, "list", (m, a) -> {
            var store = store(a.i32(0));
            int mask = a.i32(1);
            int config = a.i32(2);
            String cursor = null;
            String prefix = null;
            int limit = 100;
            if (config != 0) {
                if ((mask & (1 << 1)) != 0) {
                    cursor = Guest.string(m, m.readI32(config + 4), m.readI32(config + 8), "cursor");
                }
                if ((mask & (1 << 2)) != 0) {
                    limit = m.readI32(config + 12);
                }
                if ((mask & (1 << 3)) != 0) {
                    prefix = Guest.string(m, m.readI32(config + 16), m.readI32(config + 20), "prefix");
                }
            }
            m.writeI32(a.i32(3), s.asyncItems.insert(new Listing(list(store, cursor, prefix, limit))));
        });
        // list_wait(handle, body_out, kv_error_out)
        t.fastly(M, "list_wait", (m, a) -> {
            Listing listing = s.asyncItems.get(a.i32(0), Listing.class, "kv list");
            s.asyncItems.remove(a.i32(0));
            m.writeI32(a.i32(1), s.asyncItems.insert(Body.of(listing.json())));
            m.writeI32(a.i32(2), KV_OK);
        });
    }

    private ConcurrentSkipListMap<String, KvEntry> store(int handle) {
        return s.services().kvStore(s.kvStores.get(handle));
    }

    static String key(String key) {
        if (key.isEmpty()
                || key.length() > 1024
                || key.equals(".")
                || key.equals("..")
                || key.contains("\r")
                || key.contains("\n")
                || key.startsWith(".well-known/acme-challenge/")) {
            throw HostcallException.inval("kv key: " + key + " (expected: 1-1024 characters, no CR/LF, not . or ..)");
        }
        return key;
    }

    /** Keys in order after {@code cursor} (a key, base64 in production; opaque to guests). */
    private static byte[] list(ConcurrentSkipListMap<String, KvEntry> store, String cursor, String prefix, int limit) {
        Map<String, KvEntry> view = cursor == null || cursor.isEmpty() ? store : store.tailMap(cursor, false);
        ObjectNode root = JSON.createObjectNode();
        ArrayNode data = root.putArray("data");
        String last = null;
        boolean more = false;
        for (String key : view.keySet()) {
            if (prefix != null && !key.startsWith(prefix)) {
                continue;
            }
            if (data.size() >= limit) {
                more = true;
                break;
            }
            data.add(key);
            last = key;
        }
        ObjectNode meta = root.putObject("meta");
        meta.put("limit", limit);
        if (prefix != null) {
            meta.put("prefix", prefix);
        }
        if (more && last != null) {
            meta.put("next_cursor", last);
        }
        try {
            return JSON.writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
