package dev.outpost.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.proxy.support.LeakGuard;
import dev.outpost.proxy.support.ProxyHarness;
import dev.outpost.proxy.support.RawHttp;
import dev.outpost.testkit.TestCertificate;
import dev.outpost.testkit.TestOrigin;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** HTTPS origins: target options {@code ssl}, {@code insecure} and {@code host=}. */
@ExtendWith(LeakGuard.class)
@Timeout(60)
class HttpsOriginTest {
    static TestOrigin server;
    static final BlockingQueue<String> hosts = new LinkedBlockingQueue<>();

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        SSLContext ssl = TestCertificate.create(dir, "origin", "CN=localhost", "dns:localhost,ip:127.0.0.1")
                .serverContext();
        server = TestOrigin.https(ssl).otherwise(ex -> {
            hosts.add(String.valueOf(ex.getRequestHeaders().getFirst("Host")));
            TestOrigin.respond(ex, 200, "text/plain", "secure\n");
        });
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void insecureTargetSkipsVerification() throws Exception {
        int port = server.port();
        try (OutpostProxy p = ProxyHarness.start("* 127.0.0.1:" + port + ",ssl,insecure,host=localhost");
                RawHttp c = new RawHttp(p.httpPort())) {
            RawHttp.Response r = c.send(RawHttp.get("/tls")).read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.text()).isEqualTo("secure\n");
            // a second request reuses the pooled TLS connection
            assertThat(c.send(RawHttp.get("/tls")).read().text()).isEqualTo("secure\n");
        }
        assertThat(hosts.poll(5, TimeUnit.SECONDS)).isEqualTo("localhost");
    }

    @Test
    void tlsFailureFailsOverToTheNextTarget() throws Exception {
        int port = server.port();
        try (OutpostProxy p = ProxyHarness.start("* 127.0.0.1:" + port + ",ssl 127.0.0.1:" + port + ",ssl,insecure");
                RawHttp c = new RawHttp(p.httpPort())) {
            assertThat(c.send(RawHttp.get("/tls")).read().text()).isEqualTo("secure\n");
        }
    }

    @Test
    void untrustedCertificateIs502() throws Exception {
        int port = server.port();
        try (OutpostProxy p = ProxyHarness.start("* 127.0.0.1:" + port + ",ssl");
                RawHttp c = new RawHttp(p.httpPort())) {
            RawHttp.Response r = c.send(RawHttp.get("/tls")).read();
            assertThat(r.status()).isEqualTo(502);
            assertThat(r.text()).isEqualTo("Error while proxying to origin.\n");
        }
    }
}
