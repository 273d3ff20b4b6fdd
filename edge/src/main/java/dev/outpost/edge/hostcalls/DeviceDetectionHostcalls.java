package dev.outpost.edge.hostcalls;

import dev.outpost.edge.abi.FastlyStatus;
import dev.outpost.edge.abi.HostcallException;
import dev.outpost.edge.sandbox.Sandbox;

/** {@code fastly_device_detection}: exact user-agent matches from {@code fastly.toml}. */
final class DeviceDetectionHostcalls {
    private final Sandbox s;

    DeviceDetectionHostcalls(Sandbox sandbox) {
        this.s = sandbox;
    }

    void register(HostcallTable t) {
        // lookup(user_agent, ua_len, buf, buf_len, nwritten_out)
        t.fastly("fastly_device_detection", "lookup", (m, a) -> {
            String ua = Guest.string(m, a.i32(0), a.i32(1), "user agent");
            String record = s.services().config().deviceDetection().get(ua);
            if (record == null) {
                throw new HostcallException(FastlyStatus.NONE, "device detection: no record for " + ua);
            }
            m.writeOut(a.i32(2), a.i32(3), record, a.i32(4));
        });
    }
}
