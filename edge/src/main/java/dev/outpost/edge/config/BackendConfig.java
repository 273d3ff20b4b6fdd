package dev.outpost.edge.config;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * A named origin, from {@code [local_server.backends.<name>]} or {@code register_dynamic_backend}.
 *
 * @param url scheme, host, port and an optional path prefix prepended to every request path
 * @param overrideHost the {@code Host} header sent instead of the request's, or null
 * @param health what {@code is_healthy} reports: {@code unknown}, {@code healthy} or {@code unhealthy}
 * @param caCertificates PEM certificates to trust for this backend instead of the JDK's, or null
 * @param options TLS client identity and versions, connection pooling and keep-alive
 */
public record BackendConfig(
        String name,
        URI url,
        String overrideHost,
        String certHost,
        boolean useSni,
        Duration connectTimeout,
        Duration firstByteTimeout,
        Duration betweenBytesTimeout,
        String health,
        boolean dynamic,
        String caCertificates,
        BackendOptions options) {

    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(1);
    public static final Duration DEFAULT_FIRST_BYTE_TIMEOUT = Duration.ofSeconds(15);
    public static final Duration DEFAULT_BETWEEN_BYTES_TIMEOUT = Duration.ofSeconds(10);

    public BackendConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(health, "health");
        Objects.requireNonNull(options, "options");
    }

    /** With default {@link BackendOptions}. */
    public BackendConfig(
            String name,
            URI url,
            String overrideHost,
            String certHost,
            boolean useSni,
            Duration connectTimeout,
            Duration firstByteTimeout,
            Duration betweenBytesTimeout,
            String health,
            boolean dynamic,
            String caCertificates) {
        this(
                name,
                url,
                overrideHost,
                certHost,
                useSni,
                connectTimeout,
                firstByteTimeout,
                betweenBytesTimeout,
                health,
                dynamic,
                caCertificates,
                BackendOptions.DEFAULT);
    }

    /** A static backend with default timeouts. */
    public static BackendConfig of(String name, URI url) {
        return new BackendConfig(
                name,
                url,
                null,
                null,
                true,
                DEFAULT_CONNECT_TIMEOUT,
                DEFAULT_FIRST_BYTE_TIMEOUT,
                DEFAULT_BETWEEN_BYTES_TIMEOUT,
                "unknown",
                false,
                null);
    }

    public boolean tls() {
        return "https".equalsIgnoreCase(url.getScheme());
    }

    public int port() {
        return url.getPort() >= 0 ? url.getPort() : tls() ? 443 : 80;
    }

    /** The path prefix without a trailing slash ("" when none). */
    public String pathPrefix() {
        String path = url.getRawPath();
        if (path == null || path.isEmpty() || path.equals("/")) {
            return "";
        }
        return path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }
}
