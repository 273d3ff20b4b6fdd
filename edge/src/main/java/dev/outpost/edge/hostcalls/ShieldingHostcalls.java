package dev.outpost.edge.hostcalls;

import dev.outpost.edge.abi.HostcallException;
import dev.outpost.edge.config.BackendConfig;
import dev.outpost.edge.config.LocalServerConfig.ShieldingSite;
import dev.outpost.edge.sandbox.Sandbox;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * {@code fastly_shielding}: the shielding sites of {@code [local_server.shielding_sites]}, as Viceroy has them. A site
 * is either the one this server runs on ({@code "local"}) or a remote one whose URLs a backend can be made for.
 */
final class ShieldingHostcalls {
    private static final String M = "fastly_shielding";
    /** {@code shield_backend_options}: reserved, use_cache_key, first_byte_timeout, between_bytes_timeout. */
    private static final int RESERVED = 1;

    private static final int USE_CACHE_KEY = 1 << 1;
    private static final int FIRST_BYTE_TIMEOUT = 1 << 2;
    private static final int BETWEEN_BYTES_TIMEOUT = 1 << 3;

    private final Sandbox s;

    ShieldingHostcalls(Sandbox sandbox) {
        this.s = sandbox;
    }

    void register(HostcallTable t) {
        // shield_info(name, name_len, buf, buf_len, nwritten_out): running-on byte, unencrypted URL NUL, encrypted NUL.
        t.fastly(M, "shield_info", (m, a) -> {
            String name = Guest.string(m, a.i32(0), a.i32(1), "shield name");
            ShieldingSite site = s.services().config().shieldingSites().get(name);
            if (site == null) {
                throw HostcallException.inval(
                        "shield_info: " + name + " (expected: a site of [local_server.shielding_sites])");
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(site.local() ? 1 : 0);
            out.writeBytes(bytes(site.unencrypted()));
            out.write(0);
            out.writeBytes(bytes(site.encrypted()));
            out.write(0);
            m.writeOut(a.i32(2), a.i32(3), out.toByteArray(), a.i32(4));
        });
        // backend_for_shield(uri, uri_len, options_mask, config, buf, buf_len, nwritten_out)
        t.fastly(M, "backend_for_shield", (m, a) -> {
            String target = Guest.string(m, a.i32(0), a.i32(1), "shield URI");
            int mask = a.i32(2);
            int config = a.i32(3);
            if ((mask & RESERVED) != 0) {
                throw HostcallException.inval("backend_for_shield: reserved option bit set");
            }
            if ((mask & USE_CACHE_KEY) != 0) {
                Guest.string(m, m.readI32(config), m.readI32(config + 4), "cache key");
            }
            Duration firstByte = (mask & FIRST_BYTE_TIMEOUT) != 0
                    ? Duration.ofMillis(Integer.toUnsignedLong(m.readI32(config + 8)))
                    : BackendConfig.DEFAULT_FIRST_BYTE_TIMEOUT;
            Duration betweenBytes = (mask & BETWEEN_BYTES_TIMEOUT) != 0
                    ? Duration.ofMillis(Integer.toUnsignedLong(m.readI32(config + 12)))
                    : BackendConfig.DEFAULT_BETWEEN_BYTES_TIMEOUT;
            URI uri;
            try {
                uri = new URI(target);
                if (uri.getHost() == null || uri.getScheme() == null) {
                    throw new URISyntaxException(target, "no scheme or host");
                }
            } catch (URISyntaxException e) {
                throw HostcallException.inval("backend_for_shield: " + target + " (expected: a URL from shield_info)");
            }
            // The name Viceroy gives such a backend.
            String name = "******" + target + "*****";
            BackendConfig backend = new BackendConfig(
                    name,
                    uri,
                    null,
                    null,
                    false,
                    BackendConfig.DEFAULT_CONNECT_TIMEOUT,
                    firstByte,
                    betweenBytes,
                    "unknown",
                    true,
                    null);
            if (s.backend(name) == null) {
                s.registerBackend(backend);
            }
            m.writeOut(a.i32(4), a.i32(5), name, a.i32(6));
        });
    }

    private static byte[] bytes(String s) {
        return s == null ? new byte[0] : s.getBytes(StandardCharsets.UTF_8);
    }
}
