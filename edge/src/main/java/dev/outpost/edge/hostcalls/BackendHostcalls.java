package dev.outpost.edge.hostcalls;

import dev.outpost.edge.abi.FastlyHostcall;
import dev.outpost.edge.abi.FastlyStatus;
import dev.outpost.edge.abi.GuestMemory;
import dev.outpost.edge.abi.HostcallException;
import dev.outpost.edge.config.BackendConfig;
import dev.outpost.edge.config.BackendOptions;
import dev.outpost.edge.sandbox.Sandbox;
import java.util.function.ToIntFunction;

/** {@code fastly_backend}: what the guest may ask about a backend by name. */
final class BackendHostcalls {
    private static final String M = "fastly_backend";

    private final Sandbox s;

    BackendHostcalls(Sandbox sandbox) {
        this.s = sandbox;
    }

    void register(HostcallTable t) {
        t.fastly(
                M,
                "exists",
                (m, a) -> m.writeI32(
                        a.i32(2), s.backend(Guest.string(m, a.i32(0), a.i32(1), "backend name")) != null ? 1 : 0));
        intQuery(t, "is_healthy", b -> switch (b.health()) {
            case "healthy" -> 1;
            case "unhealthy" -> 2;
            default -> 0;
        });
        intQuery(t, "is_dynamic", b -> b.dynamic() ? 1 : 0);
        intQuery(t, "is_ssl", b -> b.tls() ? 1 : 0);
        intQuery(t, "get_connect_timeout_ms", b -> (int) b.connectTimeout().toMillis());
        intQuery(t, "get_first_byte_timeout_ms", b -> (int) b.firstByteTimeout().toMillis());
        intQuery(t, "get_between_bytes_timeout_ms", b ->
                (int) b.betweenBytesTimeout().toMillis());
        intQuery(
                t,
                "get_http_keepalive_time",
                b -> b.options().pooled() ? (int) b.options().httpKeepalive().toMillis() : 0);
        intQuery(t, "get_tcp_keepalive_enable", b -> b.options().tcpKeepalive() != null ? 1 : 0);
        intQuery(
                t,
                "get_tcp_keepalive_interval",
                b -> tcp(b, k -> (int) k.interval().toSeconds()));
        intQuery(t, "get_tcp_keepalive_probes", b -> tcp(b, BackendOptions.TcpKeepalive::probes));
        intQuery(t, "get_tcp_keepalive_time", b -> tcp(b, k -> (int) k.time().toSeconds()));
        t.fastly(
                M,
                "get_port",
                (m, a) -> m.writeI16(a.i32(2), (short) backend(m, a).port()));
        t.fastly(
                M,
                "get_host",
                (m, a) -> m.writeOut(a.i32(2), a.i32(3), backend(m, a).url().getHost(), a.i32(4)));
        t.fastly(M, "get_override_host", (m, a) -> {
            BackendConfig b = backend(m, a);
            if (b.overrideHost() == null) {
                throw new HostcallException(FastlyStatus.NONE, "backend " + b.name() + ": no override host");
            }
            m.writeOut(a.i32(2), a.i32(3), b.overrideHost(), a.i32(4));
        });
        for (String name : new String[] {"get_ssl_min_version", "get_ssl_max_version"}) {
            t.fastly(M, name, (m, a) -> {
                BackendConfig b = backend(m, a);
                int version = name.contains("min")
                        ? b.options().minTlsVersion()
                        : b.options().maxTlsVersion();
                if (!b.tls() || version < 0) {
                    throw new HostcallException(
                            FastlyStatus.NONE, "backend " + b.name() + ": " + name + ": not configured");
                }
                m.writeI32(a.i32(2), version);
            });
        }
    }

    private static int tcp(BackendConfig b, ToIntFunction<BackendOptions.TcpKeepalive> value) {
        return b.options().tcpKeepalive() == null
                ? 0
                : value.applyAsInt(b.options().tcpKeepalive());
    }

    private void intQuery(HostcallTable t, String name, ToIntFunction<BackendConfig> value) {
        t.fastly(M, name, (m, a) -> m.writeI32(a.i32(2), value.applyAsInt(backend(m, a))));
    }

    private BackendConfig backend(GuestMemory m, FastlyHostcall.Args a) {
        String name = Guest.string(m, a.i32(0), a.i32(1), "backend name");
        BackendConfig b = s.backend(name);
        if (b == null) {
            throw HostcallException.inval("backend: " + name + " (expected: a defined backend)");
        }
        return b;
    }
}
