package dev.outpost.edge.hostcalls;

import dev.outpost.edge.abi.FastlyStatus;
import dev.outpost.edge.abi.HostcallException;
import dev.outpost.edge.sandbox.Sandbox;

/** {@code fastly_abi}: the version handshake old SDK builds make first. This server speaks ABI version 1. */
final class AbiHostcalls {
    static final long ABI_VERSION = 1;

    AbiHostcalls(Sandbox sandbox) {}

    void register(HostcallTable t) {
        // init(abi_version: u64)
        t.fastly("fastly_abi", "init", (m, a) -> {
            if (a.i64(0) != ABI_VERSION) {
                throw new HostcallException(
                        FastlyStatus.ERROR, "init: ABI version " + a.i64(0) + " (expected: " + ABI_VERSION + ")");
            }
        });
    }
}
