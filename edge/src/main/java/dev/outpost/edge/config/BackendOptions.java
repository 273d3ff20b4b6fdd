package dev.outpost.edge.config;

import java.time.Duration;
import java.util.Objects;

/**
 * What a backend says beyond where it is: its TLS client identity and versions, and how its connections are pooled.
 * From {@code fastly.toml} ({@code client_certificate}, ...) or a dynamic backend's options.
 *
 * @param clientCertificate PEM certificate chain presented for mutual TLS, or null
 * @param clientKey PEM private key of {@code clientCertificate}, or null
 * @param minTlsVersion lowest TLS version accepted ({@link #TLS_1} to {@link #TLS_1_3}), or -1 for the default
 * @param maxTlsVersion highest TLS version offered, or -1 for the default
 * @param sniHostname the name sent as SNI when it differs from the certificate's, or null
 * @param ciphers OpenSSL cipher list, or null for the default
 * @param pooled whether connections are kept for reuse ({@code dont_pool} turns it off)
 * @param httpKeepalive how long an idle pooled connection is kept
 * @param maxConnections most connections at once (0: no limit)
 * @param maxUse most requests per connection (0: no limit)
 * @param maxLifetime longest a connection is reused (zero: no limit)
 * @param tcpKeepalive TCP keep-alive probes, or null when off
 * @param preferIpv4 IPv4 addresses of the backend's host are tried before IPv6 ones (production's default is IPv6
 *     first)
 * @param grpc the backend asked for gRPC (HTTP/2); the local client speaks HTTP/1.1 to every backend
 */
public record BackendOptions(
        String clientCertificate,
        byte[] clientKey,
        int minTlsVersion,
        int maxTlsVersion,
        String sniHostname,
        String ciphers,
        boolean pooled,
        Duration httpKeepalive,
        int maxConnections,
        int maxUse,
        Duration maxLifetime,
        TcpKeepalive tcpKeepalive,
        boolean preferIpv4,
        boolean grpc) {

    public static final int TLS_1 = 0;
    public static final int TLS_1_1 = 1;
    public static final int TLS_1_2 = 2;
    public static final int TLS_1_3 = 3;

    /** How long an idle pooled connection is kept unless the backend says otherwise. */
    public static final Duration DEFAULT_HTTP_KEEPALIVE = Duration.ofSeconds(60);

    public static final BackendOptions DEFAULT = new BackendOptions(
            null, null, -1, -1, null, null, true, DEFAULT_HTTP_KEEPALIVE, 0, 0, Duration.ZERO, null, false, false);

    public BackendOptions {
        Objects.requireNonNull(httpKeepalive, "httpKeepalive");
        Objects.requireNonNull(maxLifetime, "maxLifetime");
        if ((clientCertificate == null) != (clientKey == null)) {
            throw new IllegalArgumentException("clientCertificate and clientKey: one without the other");
        }
    }

    /**
     * TCP keep-alive: idle time before probes, the interval between them, and how many before giving up (zero: the
     * system's default for that one).
     */
    public record TcpKeepalive(Duration time, Duration interval, int probes) {}

    /** The JDK's protocol name of a {@code tls_version}. */
    public static String protocol(int version) {
        return switch (version) {
            case TLS_1 -> "TLSv1";
            case TLS_1_1 -> "TLSv1.1";
            case TLS_1_2 -> "TLSv1.2";
            case TLS_1_3 -> "TLSv1.3";
            default -> throw new IllegalArgumentException("tls version: " + version + " (expected: 0-3)");
        };
    }
}
