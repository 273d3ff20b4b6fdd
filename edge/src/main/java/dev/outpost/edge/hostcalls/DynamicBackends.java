package dev.outpost.edge.hostcalls;

import dev.outpost.edge.abi.GuestMemory;
import dev.outpost.edge.abi.HostcallException;
import dev.outpost.edge.config.BackendConfig;
import dev.outpost.edge.config.BackendOptions;
import dev.outpost.edge.sandbox.Sandbox;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.time.Duration;

/**
 * Reads {@code register_dynamic_backend}'s {@code dynamic_backend_config} (typenames.witx) into a
 * {@link BackendConfig}, checking each option as Viceroy does ({@code inval} for a bad one). Every option is honoured
 * but two, accepted as Viceroy accepts them: gRPC (the local client speaks HTTP/1.1 to every backend, and warns) and
 * health checks (no probes run; {@code is_healthy} answers {@code unknown}). See docs/edge-abi.md, "Backends".
 */
final class DynamicBackends {
    // backend_config_options bits.
    private static final int RESERVED = 1;
    private static final int HOST_OVERRIDE = 1 << 1;
    private static final int CONNECT_TIMEOUT = 1 << 2;
    private static final int FIRST_BYTE_TIMEOUT = 1 << 3;
    private static final int BETWEEN_BYTES_TIMEOUT = 1 << 4;
    private static final int USE_SSL = 1 << 5;
    private static final int SSL_MIN_VERSION = 1 << 6;
    private static final int SSL_MAX_VERSION = 1 << 7;
    private static final int CERT_HOSTNAME = 1 << 8;
    private static final int CA_CERT = 1 << 9;
    private static final int CIPHERS = 1 << 10;
    private static final int SNI_HOSTNAME = 1 << 11;
    private static final int DONT_POOL = 1 << 12;
    private static final int CLIENT_CERT = 1 << 13;
    private static final int GRPC = 1 << 14;
    private static final int KEEPALIVE = 1 << 15;
    private static final int POOLING_LIMITS = 1 << 16;
    private static final int PREFER_IPV4 = 1 << 17;
    private static final int KNOWN = (1 << 19) - 1;
    private static final int MAX_NAME = 1024;

    private DynamicBackends() {}

    /** {@code register_dynamic_backend(name, name_len, target, target_len, options_mask, config)}. */
    static BackendConfig read(
            GuestMemory m, int namePtr, int nameLen, int targetPtr, int targetLen, int mask, int config, Sandbox s) {
        String name = Guest.string(m, namePtr, nameLen, "backend name");
        String target = Guest.string(m, targetPtr, targetLen, "backend target");
        if (name.isEmpty() || name.length() > 254) {
            throw HostcallException.inval("register_dynamic_backend: name " + name + " (expected: 1-254 characters)");
        }
        if ((mask & RESERVED) != 0 || (mask & ~KNOWN) != 0) {
            throw HostcallException.inval("register_dynamic_backend: options mask 0x" + Integer.toHexString(mask)
                    + " (expected: known options only, reserved bit clear)");
        }
        if (mask != 0 && config == 0) {
            throw HostcallException.inval("register_dynamic_backend: options set but no config");
        }
        boolean tls = (mask & USE_SSL) != 0;
        URI url;
        try {
            url = new URI((tls ? "https://" : "http://") + target + "/");
            if (url.getHost() == null || url.getRawPath().length() > 1) {
                throw new URISyntaxException(target, "not host[:port]");
            }
        } catch (URISyntaxException e) {
            throw HostcallException.inval("register_dynamic_backend: target " + target + " (expected: host[:port])");
        }
        String overrideHost = (mask & HOST_OVERRIDE) != 0 ? text(m, config, 0, "host_override") : null;
        Duration connect = millis(m, mask, CONNECT_TIMEOUT, config + 8, BackendConfig.DEFAULT_CONNECT_TIMEOUT);
        Duration firstByte = millis(m, mask, FIRST_BYTE_TIMEOUT, config + 12, BackendConfig.DEFAULT_FIRST_BYTE_TIMEOUT);
        Duration betweenBytes =
                millis(m, mask, BETWEEN_BYTES_TIMEOUT, config + 16, BackendConfig.DEFAULT_BETWEEN_BYTES_TIMEOUT);
        int minTls = (mask & SSL_MIN_VERSION) != 0 ? tlsVersion(m.readI32(config + 20), "ssl_min_version") : -1;
        int maxTls = (mask & SSL_MAX_VERSION) != 0 ? tlsVersion(m.readI32(config + 24), "ssl_max_version") : -1;
        if (minTls >= 0 && maxTls >= 0 && minTls > maxTls) {
            throw HostcallException.inval("register_dynamic_backend: ssl_min_version above ssl_max_version");
        }
        String certHost = (mask & CERT_HOSTNAME) != 0 ? text(m, config, 28, "cert_hostname") : null;
        String ca = null;
        if (tls && (mask & CA_CERT) != 0) {
            ca = pem(m, config, 36, "ca_cert");
        }
        String ciphers = (mask & CIPHERS) != 0 ? text(m, config, 44, "ciphers") : null;
        boolean useSni = true;
        String sni = null;
        if ((mask & SNI_HOSTNAME) != 0) {
            int len = m.readI32(config + 56);
            if (len == 0) {
                useSni = false;
            } else {
                sni = text(m, config, 52, "sni_hostname");
            }
        }
        String clientCert = null;
        byte[] clientKey = null;
        if ((mask & CLIENT_CERT) != 0) {
            clientCert = pem(m, config, 60, "client_certificate");
            clientKey = s.secrets.get(m.readI32(config + 68));
        }
        Duration keepalive = BackendOptions.DEFAULT_HTTP_KEEPALIVE;
        BackendOptions.TcpKeepalive tcp = null;
        if ((mask & KEEPALIVE) != 0) {
            keepalive = Duration.ofMillis(Integer.toUnsignedLong(m.readI32(config + 72)));
            if (m.readI32(config + 76) != 0) {
                tcp = new BackendOptions.TcpKeepalive(
                        Duration.ofSeconds(Integer.toUnsignedLong(m.readI32(config + 88))),
                        Duration.ofSeconds(Integer.toUnsignedLong(m.readI32(config + 80))),
                        m.readI32(config + 84));
            }
        }
        int maxConnections = 0;
        int maxUse = 0;
        Duration maxLifetime = Duration.ZERO;
        if ((mask & POOLING_LIMITS) != 0) {
            maxConnections = m.readI32(config + 92);
            maxUse = m.readI32(config + 96);
            maxLifetime = Duration.ofMillis(Integer.toUnsignedLong(m.readI32(config + 100)));
        }
        BackendOptions options = new BackendOptions(
                clientCert,
                clientKey,
                minTls,
                maxTls,
                sni,
                ciphers,
                (mask & DONT_POOL) == 0,
                keepalive,
                maxConnections,
                maxUse,
                maxLifetime,
                tcp,
                (mask & PREFER_IPV4) != 0,
                (mask & GRPC) != 0);
        return new BackendConfig(
                name,
                url,
                overrideHost,
                certHost != null ? certHost : sni,
                useSni,
                connect,
                firstByte,
                betweenBytes,
                "unknown",
                true,
                ca,
                options);
    }

    private static Duration millis(GuestMemory m, int mask, int bit, int at, Duration dflt) {
        return (mask & bit) != 0 ? Duration.ofMillis(Integer.toUnsignedLong(m.readI32(at))) : dflt;
    }

    private static int tlsVersion(int version, String field) {
        if (version < BackendOptions.TLS_1 || version > BackendOptions.TLS_1_3) {
            throw HostcallException.inval("register_dynamic_backend: " + field + " " + version
                    + " (expected: 0 TLS 1.0, 1 TLS 1.1, 2 TLS 1.2 or 3 TLS 1.3)");
        }
        return version;
    }

    /** A (pointer, length) field pair at {@code offset}: 1 to 1024 bytes of UTF-8. */
    private static String text(GuestMemory m, int config, int offset, String field) {
        int len = m.readI32(config + offset + 4);
        if (len <= 0 || len > MAX_NAME) {
            throw HostcallException.inval("register_dynamic_backend: " + field + " length "
                    + Integer.toUnsignedString(len) + " (expected: 1-" + MAX_NAME + ")");
        }
        return Guest.string(m, m.readI32(config + offset), len, field);
    }

    /** PEM certificates (at most 64 KiB), checked to parse. */
    private static String pem(GuestMemory m, int config, int offset, String field) {
        int len = m.readI32(config + offset + 4);
        if (len <= 0 || len > 64 * 1024) {
            throw HostcallException.inval("register_dynamic_backend: " + field + " length "
                    + Integer.toUnsignedString(len) + " (expected: 1-65536)");
        }
        String text = Guest.string(m, m.readI32(config + offset), len, field);
        try {
            if (CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII)))
                    .isEmpty()) {
                throw new CertificateException("no certificate");
            }
        } catch (CertificateException e) {
            throw HostcallException.inval(
                    "register_dynamic_backend: " + field + " (expected: PEM certificates: " + e.getMessage() + ")");
        }
        return text;
    }
}
