package dev.outpost.edge.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Routes generated from backends, line for line as the Fastly CLI writes Pushpin's routes file. */
class PushpinRoutesTest {
    static List<String> routes(String toml) {
        return PushpinRoutes.lines(FastlyTomlParser.parse(toml, "fastly.toml", Path.of("."), k -> null)
                .localServer()
                .backends());
    }

    @Test
    void theStarterKitBackends() {
        assertThat(routes("""
                [local_server.backends.origin]
                url = "https://example.com/"
                override_host = "example.com"
                [local_server.backends.self]
                url = "http://localhost:7676/"
                override_host = "localhost:7676"
                """))
                .containsExactly(
                        "id=origin example.com:443,over_http,ssl,host=example.com",
                        "id=self localhost:7676,over_http,host=localhost:7676");
    }

    @Test
    void defaultPortsPathPrefixesAndFilledOverrideHosts() {
        assertThat(routes("""
                [local_server.backends.api]
                url = "http://api.test/v1/"
                [local_server.backends.ip]
                url = "http://127.0.0.1:8080"
                [local_server.backends.tls]
                url = "https://secure.test:8443/base"
                """))
                .containsExactly(
                        "id=api,replace_beg=/v1 api.test:80,over_http,host=api.test",
                        "id=ip 127.0.0.1:8080,over_http",
                        "id=tls,replace_beg=/base secure.test:8443,over_http,ssl,host=secure.test:8443");
    }

    /** A name, path or host with a routes separator broke the line it was written into; serve refused to start. */
    @Test
    void valuesWithSeparatorsAreQuoted() {
        assertThat(routes("""
                [local_server.backends."my api"]
                url = "http://127.0.0.1:8080/a,b"
                override_host = "h #1"
                [local_server.backends.'q"\\']
                url = "http://127.0.0.1:8081"
                """))
                .containsExactly(
                        "id=\"my api\",replace_beg=\"/a,b\" 127.0.0.1:8080,over_http,host=\"h #1\"",
                        "id=\"q\\\"\\\\\" 127.0.0.1:8081,over_http");
    }

    @Test
    void noBackendsNoRoutes() {
        assertThat(routes("")).isEmpty();
    }
}
