package dev.outpost.edge.hostcalls;

import dev.outpost.edge.abi.FastlyStatus;
import dev.outpost.edge.abi.HostcallException;
import dev.outpost.edge.cache.CacheStore;
import dev.outpost.edge.cache.SurrogateKeys;
import dev.outpost.edge.sandbox.Sandbox;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code fastly_purge}: purges by surrogate key the app's cache (core, simple, HTTP and readthrough objects alike),
 * hard or soft. Locally the POP is the whole cache, so {@code pop} and {@code global} scopes are one.
 */
final class PurgeHostcalls {
    private static final Logger log = LoggerFactory.getLogger(PurgeHostcalls.class);
    private static final String M = "fastly_purge";
    private static final int SOFT = 1;
    private static final int RET_BUF = 1 << 1;
    private static final AtomicLong PURGES = new AtomicLong();

    private final CacheStore store;

    PurgeHostcalls(Sandbox sandbox) {
        this.store = sandbox.services().cache().store();
    }

    void register(HostcallTable t) {
        // purge_surrogate_key(key, key_len, options_mask, options); options: ret_buf ptr 0, len 4, nwritten_out 8
        t.fastly(M, "purge_surrogate_key", (m, a) -> {
            int mask = a.i32(2);
            CacheAbi.unsupportedBits(mask, SOFT | RET_BUF, "purge options");
            String key;
            try {
                key = SurrogateKeys.validate(Guest.string(m, a.i32(0), a.i32(1), "surrogate key"));
            } catch (IllegalArgumentException e) {
                throw HostcallException.inval(e.getMessage());
            }
            boolean soft = (mask & SOFT) != 0;
            int purged = store.purge(key, soft);
            log.debug("{}purge of surrogate key {}: {} objects", soft ? "soft " : "", key, purged);
            if ((mask & RET_BUF) != 0) {
                int options = a.i32(3);
                // The JSON the purge API answers with.
                byte[] json = ("{\"status\": \"ok\", \"id\": \"outpost-" + PURGES.incrementAndGet() + "\"}")
                        .getBytes(StandardCharsets.UTF_8);
                int buf = m.readI32(options);
                int len = m.readI32(options + 4);
                int nwritten = m.readI32(options + 8);
                if (json.length > Integer.toUnsignedLong(len)) {
                    m.writeI32(nwritten, json.length);
                    throw new HostcallException(
                            FastlyStatus.BUFLEN,
                            "purge response buffer of " + Integer.toUnsignedString(len) + " bytes (expected: at least "
                                    + json.length + ")");
                }
                m.writeOut(buf, len, json, nwritten);
            }
        });
    }
}
