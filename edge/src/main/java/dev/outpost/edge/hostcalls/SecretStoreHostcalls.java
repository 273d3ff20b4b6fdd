package dev.outpost.edge.hostcalls;

import dev.outpost.edge.abi.FastlyStatus;
import dev.outpost.edge.abi.HostcallException;
import dev.outpost.edge.sandbox.Sandbox;
import java.util.Map;

/** {@code fastly_secret_store}: secrets from {@code fastly.toml}. */
final class SecretStoreHostcalls {
    private static final String M = "fastly_secret_store";

    private final Sandbox s;

    SecretStoreHostcalls(Sandbox sandbox) {
        this.s = sandbox;
    }

    void register(HostcallTable t) {
        t.fastly(M, "open", (m, a) -> {
            String name = Guest.string(m, a.i32(0), a.i32(1), "secret store name");
            Map<String, byte[]> store = s.services().config().secretStores().get(name);
            if (store == null) {
                throw new HostcallException(FastlyStatus.NONE, "secret store: " + name + " absent");
            }
            m.writeI32(a.i32(2), s.secretStores.insert(store));
        });
        // get(store, key, key_len, secret_out)
        t.fastly(M, "get", (m, a) -> {
            Map<String, byte[]> store = s.secretStores.get(a.i32(0));
            String key = Guest.string(m, a.i32(1), a.i32(2), "secret name");
            byte[] secret = store.get(key);
            if (secret == null) {
                throw new HostcallException(FastlyStatus.NONE, "secret: " + key + " absent");
            }
            m.writeI32(a.i32(3), s.secrets.insert(secret));
        });
        // plaintext(secret, buf, buf_len, nwritten_out)
        t.fastly(M, "plaintext", (m, a) -> m.writeOut(a.i32(1), a.i32(2), s.secrets.get(a.i32(0)), a.i32(3)));
        // from_bytes(buf, buf_len, secret_out)
        t.fastly(M, "from_bytes", (m, a) -> m.writeI32(a.i32(2), s.secrets.insert(Guest.bytes(m, a.i32(0), a.i32(1)))));
    }
}
