package dev.outpost.edge.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * One {@code [local_server.backends.<name>]} table: Viceroy's keys ({@code url}, {@code override_host},
 * {@code cert_host}, {@code use_sni}, {@code grpc}, the three timeouts, {@code health}, {@code ca_certificate},
 * {@code client_certificate}) and Outpost's {@code min_tls_version} / {@code max_tls_version} and
 * {@code max_connections} (what a dynamic backend sets with {@code max_connections}, and production with a
 * backend's {@code max_conn}).
 */
final class BackendTableParser {
    private static final Set<String> BACKEND_KEYS = Set.of(
            "url",
            "override_host",
            "cert_host",
            "use_sni",
            "grpc",
            "first_byte_timeout_ms",
            "between_bytes_timeout_ms",
            "connect_timeout_ms",
            "health",
            "ca_certificate",
            "client_certificate",
            "min_tls_version",
            "max_tls_version",
            "max_connections");

    private final FastlyTomlParser p;
    private final String file;
    private final FastlyTomlParser.FileSource files;

    BackendTableParser(FastlyTomlParser parser, String file, FastlyTomlParser.FileSource files) {
        this.p = parser;
        this.file = file;
        this.files = files;
    }

    BackendConfig backend(String name, JsonNode node) {
        String table = "local_server.backends." + name;
        p.requireTable(table, node);
        for (var e : FastlyTomlParser.fields(node)) {
            if (!BACKEND_KEYS.contains(e.getKey())) {
                throw new FastlyTomlException(file + ": [" + table + "] unknown key " + e.getKey()
                        + " (expected: one of " + String.join(", ", new TreeSet<>(BACKEND_KEYS)) + ")");
            }
        }
        JsonNode urlNode = node.get("url");
        if (urlNode == null || !urlNode.isTextual()) {
            throw p.error(table, "url", urlNode, "a string such as \"http://127.0.0.1:8080/\"");
        }
        URI url;
        try {
            url = new URI(urlNode.asText());
        } catch (URISyntaxException e) {
            throw p.error(table, "url", urlNode, "a URL (" + e.getReason() + ")");
        }
        if (url.getScheme() == null
                || !(url.getScheme().equals("http") || url.getScheme().equals("https"))
                || url.getHost() == null) {
            throw p.error(table, "url", urlNode, "an http:// or https:// URL with a host");
        }
        String overrideHost = p.optionalString(table, node, "override_host");
        if (overrideHost != null && overrideHost.isEmpty()) {
            throw p.error(table, "override_host", node.get("override_host"), "a non-empty host");
        }
        String certHost = p.optionalString(table, node, "cert_host");
        boolean useSni = p.optionalBoolean(table, node, "use_sni", true);
        boolean grpc = p.optionalBoolean(table, node, "grpc", false);
        Duration connect = p.optionalMillis(table, node, "connect_timeout_ms", BackendConfig.DEFAULT_CONNECT_TIMEOUT);
        Duration firstByte =
                p.optionalMillis(table, node, "first_byte_timeout_ms", BackendConfig.DEFAULT_FIRST_BYTE_TIMEOUT);
        Duration betweenBytes =
                p.optionalMillis(table, node, "between_bytes_timeout_ms", BackendConfig.DEFAULT_BETWEEN_BYTES_TIMEOUT);
        String health = p.optionalString(table, node, "health");
        if (health == null) {
            health = "unknown";
        } else if (!Set.of("unknown", "healthy", "unhealthy").contains(health)) {
            throw p.error(table, "health", node.get("health"), "unknown, healthy or unhealthy");
        }
        String ca = node.has("ca_certificate") ? caCertificates(table, node.get("ca_certificate")) : null;
        String[] client = node.has("client_certificate")
                ? clientCertificate(table, node.get("client_certificate"))
                : new String[2];
        int minTls = tlsVersion(table, node, "min_tls_version");
        int maxTls = tlsVersion(table, node, "max_tls_version");
        if (minTls >= 0 && maxTls >= 0 && minTls > maxTls) {
            throw p.error(table, "min_tls_version", node.get("min_tls_version"), "at most max_tls_version");
        }
        int maxConnections = maxConnections(table, node.get("max_connections"));
        BackendOptions options = new BackendOptions(
                client[0],
                client[1] == null ? null : client[1].getBytes(StandardCharsets.US_ASCII),
                minTls,
                maxTls,
                null,
                null,
                true,
                BackendOptions.DEFAULT_HTTP_KEEPALIVE,
                maxConnections,
                0,
                Duration.ZERO,
                null,
                false,
                grpc);
        return new BackendConfig(
                name,
                url,
                overrideHost,
                certHost,
                useSni,
                connect,
                firstByte,
                betweenBytes,
                health,
                false,
                ca,
                options);
    }

    /** {@code max_connections}: the most connections open to the backend at once; 0 (left out) for no limit. */
    private int maxConnections(String table, JsonNode v) {
        if (v == null) {
            return 0;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < 1) {
            throw p.error(
                    table,
                    "max_connections",
                    v,
                    "an integer >= 1 (the most connections open to this backend at once; leave it out for no limit)");
        }
        return v.asInt();
    }

    /**
     * {@code client_certificate = { certificate = "PEM" | certificate_file = "path", key = "PEM" | key_file = "path" }},
     * as Viceroy reads it: the certificate chain and its (unencrypted PKCS#8) key, checked here.
     */
    private String[] clientCertificate(String table, JsonNode node) {
        if (!node.isObject()) {
            throw p.error(
                    table, "client_certificate", node, "{ certificate_file = \"cert.pem\", key_file = \"key.pem\" }");
        }
        for (var e : FastlyTomlParser.fields(node)) {
            if (!Set.of("certificate", "certificate_file", "key", "key_file").contains(e.getKey())) {
                throw new FastlyTomlException(file + ": [" + table + "] client_certificate: unknown key " + e.getKey()
                        + " (expected: certificate or certificate_file, and key or key_file)");
            }
        }
        String cert = inlineOrFile(table, node, "certificate");
        String key = inlineOrFile(table, node, "key");
        if (cert == null || key == null) {
            throw new FastlyTomlException(file + ": [" + table + "] client_certificate: "
                    + (cert == null ? "no certificate" : "no key")
                    + " (expected: certificate or certificate_file, and key or key_file)");
        }
        try {
            if (CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(cert.getBytes(StandardCharsets.US_ASCII)))
                    .isEmpty()) {
                throw new CertificateException("no certificate found");
            }
        } catch (CertificateException e) {
            throw new FastlyTomlException(
                    file + ": [" + table + "] client_certificate: not a PEM certificate (" + e.getMessage() + ")", e);
        }
        if (!key.contains("-----BEGIN PRIVATE KEY-----")) {
            throw new FastlyTomlException(file + ": [" + table + "] client_certificate: the key is not an unencrypted"
                    + " PKCS#8 PEM key (expected: -----BEGIN PRIVATE KEY-----; convert one with"
                    + " openssl pkcs8 -topk8 -nocrypt -in key.pem)");
        }
        return new String[] {cert, key};
    }

    private String inlineOrFile(String table, JsonNode node, String key) {
        String inline = p.optionalString(table + ".client_certificate", node, key);
        String path = p.optionalString(table + ".client_certificate", node, key + "_file");
        if (inline != null && path != null) {
            throw new FastlyTomlException(file + ": [" + table + "] client_certificate: both " + key + " and " + key
                    + "_file (expected: one of them)");
        }
        if (path == null) {
            return inline;
        }
        try {
            return new String(files.read(path), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new FastlyTomlException(
                    file + ": [" + table + "] client_certificate " + key + "_file " + path + ": cannot read ("
                            + e.getMessage() + ")",
                    e);
        }
    }

    /** {@code min_tls_version} / {@code max_tls_version} (Outpost's): "1.0" to "1.3", or -1 when absent. */
    private int tlsVersion(String table, JsonNode node, String key) {
        String v = p.optionalString(table, node, key);
        if (v == null) {
            return -1;
        }
        return switch (v) {
            case "1.0" -> BackendOptions.TLS_1;
            case "1.1" -> BackendOptions.TLS_1_1;
            case "1.2" -> BackendOptions.TLS_1_2;
            case "1.3" -> BackendOptions.TLS_1_3;
            default -> throw p.error(table, key, node.get(key), "\"1.0\", \"1.1\", \"1.2\" or \"1.3\"");
        };
    }

    /** {@code ca_certificate}: a PEM string, {@code {file = …}}, {@code {value = …}}, or an array of those. */
    private String caCertificates(String table, JsonNode node) {
        StringBuilder pem = new StringBuilder();
        for (JsonNode item : node.isArray() ? node : List.of(node)) {
            String text;
            if (item.isTextual()) {
                text = item.asText();
            } else if (item.isObject() && item.size() == 1 && item.hasNonNull("value")) {
                text = item.get("value").asText();
            } else if (item.isObject() && item.size() == 1 && item.hasNonNull("file")) {
                try {
                    text = new String(files.read(item.get("file").asText()), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw new FastlyTomlException(
                            file + ": [" + table + "] ca_certificate file "
                                    + item.get("file").asText() + ": cannot read (" + e.getMessage() + ")",
                            e);
                }
            } else {
                throw p.error(
                        table, "ca_certificate", item, "a PEM string, { file = \"ca.pem\" } or { value = \"…\" }");
            }
            try {
                var certs = CertificateFactory.getInstance("X.509")
                        .generateCertificates(new ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII)));
                if (certs.isEmpty()) {
                    throw new CertificateException("no certificate found");
                }
            } catch (CertificateException e) {
                throw new FastlyTomlException(
                        file + ": [" + table + "] ca_certificate: not a PEM certificate (" + e.getMessage() + ")", e);
            }
            pem.append(text.strip()).append('\n');
        }
        return pem.toString();
    }
}
