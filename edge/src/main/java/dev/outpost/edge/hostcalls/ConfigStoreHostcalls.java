package dev.outpost.edge.hostcalls;

import dev.outpost.edge.abi.FastlyStatus;
import dev.outpost.edge.abi.HostcallException;
import dev.outpost.edge.sandbox.Sandbox;
import java.util.Map;

/** {@code fastly_config_store} and the legacy {@code fastly_dictionary}: same stores, same calls. */
final class ConfigStoreHostcalls {
    private static final int MAX_KEY = 256;

    private final Sandbox s;

    ConfigStoreHostcalls(Sandbox sandbox) {
        this.s = sandbox;
    }

    void register(HostcallTable t) {
        for (String module : new String[] {"fastly_config_store", "fastly_dictionary"}) {
            // open(name, name_len, handle_out)
            t.fastly(module, "open", (m, a) -> {
                String name = Guest.string(m, a.i32(0), a.i32(1), "store name");
                Map<String, String> store = s.services().config().configStores().get(name);
                if (store == null) {
                    throw HostcallException.badHandle("config store", -1);
                }
                m.writeI32(a.i32(2), s.configStores.insert(store));
            });
            // get(handle, key, key_len, value, value_max_len, nwritten_out)
            t.fastly(module, "get", (m, a) -> {
                Map<String, String> store = s.configStores.get(a.i32(0));
                String key = Guest.string(m, a.i32(1), a.i32(2), "key");
                if (key.length() > MAX_KEY) {
                    throw HostcallException.inval("config store key length: " + key.length() + " (expected: <= 256)");
                }
                String value = store.get(key);
                if (value == null) {
                    throw new HostcallException(FastlyStatus.NONE, "config store key: " + key + " absent");
                }
                m.writeOut(a.i32(3), a.i32(4), value, a.i32(5));
            });
        }
    }
}
