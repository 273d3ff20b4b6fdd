package dev.outpost.edge.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backend's TLS and connection settings in fastly.toml: Viceroy's client_certificate and grpc, and min/max TLS
 * versions and max_connections.
 */
class BackendTlsTomlTest {
    @TempDir
    Path dir;

    private BackendConfig backend(String table) {
        return FastlyTomlParser.parse(
                        "[local_server.backends.b]\nurl = \"https://127.0.0.1:9/\"\n" + table,
                        "fastly.toml",
                        dir,
                        Map.<String, String>of()::get)
                .localServer()
                .backends()
                .get("b");
    }

    private void copy(String name) throws IOException {
        try (InputStream in = getClass().getResourceAsStream("/certs/mtls/" + name)) {
            Files.write(dir.resolve(name), in.readAllBytes());
        }
    }

    @Test
    void clientCertificateFromFilesAndTlsVersions() throws IOException {
        copy("client.pem");
        copy("client-key.pem");
        BackendConfig b = backend("""
            client_certificate = { certificate_file = "client.pem", key_file = "client-key.pem" }
            min_tls_version = "1.2"
            max_tls_version = "1.3"
            """);
        assertThat(b.options().clientCertificate()).contains("BEGIN CERTIFICATE");
        assertThat(new String(b.options().clientKey())).contains("BEGIN PRIVATE KEY");
        assertThat(b.options().minTlsVersion()).isEqualTo(BackendOptions.TLS_1_2);
        assertThat(b.options().maxTlsVersion()).isEqualTo(BackendOptions.TLS_1_3);
    }

    @Test
    void badTlsSettingsAreNamed() throws IOException {
        copy("client.pem");
        assertThatThrownBy(() -> backend("client_certificate = { certificate_file = \"client.pem\" }"))
                .hasMessageContaining("[local_server.backends.b] client_certificate: no key");
        assertThatThrownBy(
                        () -> backend(
                                "client_certificate = { certificate_file = \"client.pem\", key = \"-----BEGIN RSA PRIVATE KEY-----\" }"))
                .hasMessageContaining("not an unencrypted PKCS#8 PEM key");
        assertThatThrownBy(() -> backend("min_tls_version = \"1.4\""))
                .hasMessageContaining("min_tls_version: \"1.4\" (expected: \"1.0\", \"1.1\", \"1.2\" or \"1.3\")");
        assertThatThrownBy(() -> backend("min_tls_version = \"1.3\"\nmax_tls_version = \"1.2\""))
                .hasMessageContaining("at most max_tls_version");
    }

    @Test
    void maxConnectionsAndGrpc() {
        assertThat(backend("").options().maxConnections()).isZero();
        BackendConfig b = backend("max_connections = 3\ngrpc = true");
        assertThat(b.options().maxConnections()).isEqualTo(3);
        assertThat(b.options().grpc()).isTrue();
        assertThatThrownBy(() -> backend("max_connections = 0"))
                .hasMessageContaining("[local_server.backends.b] max_connections: 0 (expected: an integer >= 1");
        assertThatThrownBy(() -> backend("max_connections = \"4\"")).hasMessageContaining("leave it out for no limit");
    }
}
