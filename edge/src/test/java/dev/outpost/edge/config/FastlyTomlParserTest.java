package dev.outpost.edge.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class FastlyTomlParserTest {
    @TempDir
    Path dir;

    private FastlyManifest parse(String toml) {
        return FastlyTomlParser.parse(toml, "fastly.toml", dir, Map.of("API_TOKEN", "t0ken")::get);
    }

    @Test
    void readsAFullLocalServerSection() throws IOException {
        Files.writeString(dir.resolve("flags.json"), "{\"dark\": \"yes\"}");
        Files.writeString(dir.resolve("kv.json"), "{\"k1\": \"v1\", \"k2\": {\"data\": \"v2\", \"metadata\": \"m\"}}");
        Files.write(dir.resolve("blob.bin"), new byte[] {1, 2, 3});
        Files.writeString(
                dir.resolve("acl.json"),
                "{\"entries\":[{\"op\":\"create\",\"prefix\":\"10.0.0.0/8\",\"action\":\"BLOCK\"}]}");
        FastlyManifest manifest = parse("""
        manifest_version = 3
        name = "demo"
        [scripts]
        build = "npm run build"
        [local_server.backends.origin]
        url = "https://api.example.net/v1/"
        override_host = "api.example.net"
        first_byte_timeout_ms = 5000
        health = "healthy"
        [local_server.backends.self]
        url = "http://localhost:7676"
        [local_server.config_stores.flags]
        format = "inline-toml"
        [local_server.config_stores.flags.contents]
        beta = "on"
        [local_server.config_stores.fromfile]
        format = "json"
        file = "flags.json"
        [local_server.kv_stores]
        one = [{key = "a", data = "hello"}, {key = "b", file = "blob.bin", metadata = "meta"}]
        two = {file = "kv.json", format = "json"}
        [local_server.secret_stores]
        secrets = [{key = "token", env = "API_TOKEN"}, {key = "plain", data = "shh"}]
        [local_server.geolocation]
        use_default_loopback = false
        format = "inline-toml"
        [local_server.geolocation.addresses."10.1.1.1"]
        city = "Lisbon"
        as_number = 1234
        [local_server.acls]
        internal = "acl.json"
        [local_server.pushpin]
        enable = true
        """);
        assertThat(manifest.name()).isEqualTo("demo");
        assertThat(manifest.buildScript()).isEqualTo("npm run build");
        LocalServerConfig local = manifest.localServer();
        BackendConfig origin = local.backends().get("origin");
        assertThat(origin.tls()).isTrue();
        assertThat(origin.port()).isEqualTo(443);
        assertThat(origin.pathPrefix()).isEqualTo("/v1");
        assertThat(origin.overrideHost()).isEqualTo("api.example.net");
        assertThat(origin.firstByteTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(origin.health()).isEqualTo("healthy");
        assertThat(local.backends().get("self").port()).isEqualTo(7676);
        assertThat(local.configStores())
                .containsEntry("flags", Map.of("beta", "on"))
                .containsEntry("fromfile", Map.of("dark", "yes"));
        assertThat(local.kvStores().get("one").get("a").value()).isEqualTo("hello".getBytes(StandardCharsets.UTF_8));
        assertThat(local.kvStores().get("one").get("b").value()).containsExactly(1, 2, 3);
        assertThat(local.kvStores().get("one").get("b").metadata()).isEqualTo("meta");
        assertThat(local.kvStores().get("two").get("k2").metadata()).isEqualTo("m");
        assertThat(new String(local.secretStores().get("secrets").get("token"), StandardCharsets.UTF_8))
                .isEqualTo("t0ken");
        assertThat(local.useDefaultLoopbackGeo()).isFalse();
        assertThat(local.geolocation().get("10.1.1.1")).contains("\"city\":\"Lisbon\"");
        assertThat(local.acls().get("internal")).containsExactly(new LocalServerConfig.AclEntry("10.0.0.0/8", "BLOCK"));
    }

    @Test
    void backendCaCertificatesComeInlineFromAFileOrAsAList() throws Exception {
        String pem;
        try (var in = getClass().getResourceAsStream("/certs/origin.pem")) {
            pem = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
        Files.writeString(dir.resolve("ca.pem"), pem);
        LocalServerConfig local = parse("""
        [local_server.backends.a]
        url = "https://a.test/"
        ca_certificate = { file = "ca.pem" }
        [local_server.backends.b]
        url = "https://b.test/"
        ca_certificate = [{ value = '''%s''' }, { file = "ca.pem" }]
        """.formatted(pem)).localServer();
        assertThat(local.backends().get("a").caCertificates()).contains("BEGIN CERTIFICATE");
        assertThat(local.backends().get("b").caCertificates().split("BEGIN CERTIFICATE", -1))
                .hasSize(3);
        assertThatThrownBy(
                        () -> parse("[local_server.backends.c]\nurl = \"https://c.test/\"\nca_certificate = \"junk\""))
                .hasMessageStartingWith("fastly.toml: [local_server.backends.c] ca_certificate: not a PEM certificate");
    }

    @Test
    void legacyNamesAreAccepted() {
        LocalServerConfig local = parse("""
        [local_server.dictionaries.d]
        format = "inline-toml"
        contents = { k = "v" }
        [local_server.object_stores]
        s = []
        """).localServer();
        assertThat(local.configStores().get("d")).containsEntry("k", "v");
        assertThat(local.kvStores().get("s")).isEmpty();
    }

    @Test
    void noLocalServerMeansEmpty() {
        assertThat(parse("name = \"x\"").localServer()).isEqualTo(LocalServerConfig.empty());
    }

    record Bad(String toml, String message) {}

    static Stream<Bad> mistakes() {
        return Stream.of(
                new Bad("manifest_version = 9", "fastly.toml: manifest_version: 9 (expected: an integer <= 3)"),
                new Bad(
                        "[local_server.backends.o]\noverride_host = \"x\"",
                        "fastly.toml: [local_server.backends.o] url: missing (expected: a string such as"),
                new Bad(
                        "[local_server.backends.o]\nurl = \"ftp://x\"",
                        "fastly.toml: [local_server.backends.o] url: \"ftp://x\" (expected: an http:// or https:// URL"),
                new Bad(
                        "[local_server.backends.o]\nurl = \"http://x\"\nfirst_byte_timeout_ms = -1",
                        "fastly.toml: [local_server.backends.o] first_byte_timeout_ms: -1 (expected: an integer >= 0)"),
                new Bad(
                        "[local_server.backends.o]\nurl = \"http://x\"\nsurprise = 1",
                        "fastly.toml: [local_server.backends.o] unknown key surprise (expected: one of"),
                new Bad(
                        "[local_server.config_stores.c]\nformat = \"yaml\"",
                        "fastly.toml: [local_server.config_stores.c] format: \"yaml\" (expected: \"inline-toml\" or \"json\")"),
                new Bad(
                        "[local_server.config_stores.c]\nformat = \"json\"\nfile = \"nope.json\"",
                        "fastly.toml: [local_server.config_stores.c] file nope.json: cannot read"),
                new Bad(
                        "[local_server.config_stores.c]\nformat = \"inline-toml\"\ncontents = { k = 1 }",
                        "fastly.toml: [local_server.config_stores.c.contents] k: 1 (expected: a string)"),
                new Bad(
                        "[local_server.kv_stores]\ns = [{key = \"a\"}]",
                        "fastly.toml: [local_server.kv_stores.s[0]] has none (expected: exactly one of data, file, path)"),
                new Bad(
                        "[local_server.kv_stores]\ns = {file = \"x.json\"}",
                        "fastly.toml: [local_server.kv_stores.s] has only one of file and format"),
                new Bad(
                        "[local_server.secret_stores]\ns = [{key = \"a\", data = \"x\", env = \"Y\"}]",
                        "fastly.toml: [local_server.secret_stores.s[0]] has env and data or file"),
                new Bad(
                        "[local_server.config_stores.a]\nformat = \"inline-toml\"\ncontents = {}\n"
                                + "[local_server.dictionaries.b]\nformat = \"inline-toml\"\ncontents = {}",
                        "fastly.toml: [local_server] has both config_stores and dictionaries"),
                new Bad("local_server = 3", "fastly.toml: [local_server] is 3 (expected: a table)"),
                new Bad("[local_server", "fastly.toml: not valid TOML"));
    }

    /** A file name no path can hold (a NUL in it) escaped as InvalidPathException instead of the parser's error. */
    @Test
    void aFileNameThatIsNoPathIsAnError() {
        for (String toml : List.of(
                "[local_server.kv_stores]\none = [{key = \"a\", file = \"x\\u0000y\"}]",
                "[local_server.config_stores.c]\nformat = \"json\"\nfile = \"x\\u0000y\"",
                "[local_server.backends.b]\nurl = \"https://b.test/\"\nca_certificate = { file = \"x\\u0000y\" }")) {
            assertThatThrownBy(() -> parse(toml))
                    .isInstanceOf(FastlyTomlException.class)
                    .hasMessageStartingWith("fastly.toml: [local_server.")
                    .hasMessageContaining("cannot read (not a file path");
        }
    }

    @ParameterizedTest
    @MethodSource("mistakes")
    void mistakesNameFileTableKeyAndExpectation(Bad bad) {
        assertThatThrownBy(() -> parse(bad.toml()))
                .isInstanceOf(FastlyTomlException.class)
                .hasMessageStartingWith(bad.message());
    }
}
