package dev.outpost.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.proxy.OutpostProxy;
import dev.outpost.proxy.config.Forwarding;
import dev.outpost.proxy.config.PushpinConf;
import dev.outpost.proxy.support.LeakGuard;
import dev.outpost.proxy.support.ProxyHarness;
import dev.outpost.proxy.support.RawHttp;
import dev.outpost.testkit.TestCertificate;
import dev.outpost.testkit.TestOrigin;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS listeners as Pushpin configures them (issue 16): {@code https_ports}, certificates read from PEM files in the
 * certificates directory, chosen by the name the client sends (exact, then {@code _.parent} wildcard), else
 * {@code default_PORT}; a name without a certificate fails the handshake. The proxy behind works as on plain HTTP.
 */
@ExtendWith(LeakGuard.class)
@Timeout(90)
class TlsListenerTest {
    static TestOrigin origin;
    static OutpostProxy proxy;
    static Path certs;
    static int port;

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        certs = dir.resolve("certs");
        Files.createDirectories(certs);
        selfSigned(dir, "localhost", "CN=localhost", "localhost");
        selfSigned(dir, "_.example.com", "CN=wildcard", "*.example.com");
        origin = new TestOrigin();
        origin.on("/tls", ex -> TestOrigin.respond(ex, 200, "text/plain", "through tls\n"));
        origin.on(
                "/xfp",
                ex -> TestOrigin.respond(
                        ex,
                        200,
                        "text/plain",
                        "X-Forwarded-Proto: " + ex.getRequestHeaders().get("X-Forwarded-Proto") + "\n"));
        // requests over TLS match ssl=yes; the plain listener's go to the built-in test target
        proxy = ProxyHarness.start(
                "*,ssl=yes 127.0.0.1:" + origin.port() + "\n* test",
                b -> b.setting(TlsListeners.PORTS, "0")
                        .setting(TlsListeners.CERTS_DIR, certs.toString())
                        // as in Pushpin's packaged pushpin.conf
                        .setting(Forwarding.SET, "proto-only"));
        assertThat(proxy.httpsAddresses()).hasSize(1);
        port = proxy.httpsAddresses().getFirst().getPort();
    }

    @AfterAll
    static void stop() {
        proxy.close();
        origin.close();
    }

    @Test
    void theNameTheClientAsksForSelectsTheCertificate() throws Exception {
        assertThat(get("localhost")).isEqualTo("CN=localhost through tls\n");
        assertThat(get("WWW.Example.com")).isEqualTo("CN=wildcard through tls\n");
        // the plain listener still answers, by its own route (ssl=yes does not match it)
        try (var c = new RawHttp(proxy.httpPort())) {
            assertThat(c.send(RawHttp.get("/tls")).read().text()).isEqualTo("no such test resource\n");
        }
    }

    @Test
    void withoutANameTheDefaultOfThePortOrNothing() throws Exception {
        assertThatThrownBy(() -> get("unknown.test")).isInstanceOf(SSLException.class);
        assertThatThrownBy(() -> get(null)).isInstanceOf(SSLException.class);
        // added while running: read at the next handshake
        Files.copy(certs.resolve("localhost.crt"), certs.resolve("default_" + port + ".crt"));
        Files.copy(certs.resolve("localhost.key"), certs.resolve("default_" + port + ".key"));
        assertThat(get(null)).isEqualTo("CN=localhost through tls\n");
        assertThat(get("unknown.test")).isEqualTo("CN=localhost through tls\n");
    }

    @Test
    void aConfigurationFileNamesPortsAndTheDirectory(@TempDir Path dir) throws Exception {
        Path conf = dir.resolve("pushpin.conf");
        Files.writeString(conf, "[runner]\nhttps_ports=127.0.0.1:0,0\n");
        var b = PushpinConf.load(conf, w -> {});
        TlsListeners t = TlsListeners.of(b.build());
        assertThat(t.addresses())
                .containsExactly(new TlsListeners.Address("127.0.0.1", 0), new TlsListeners.Address("127.0.0.1", 0));
        // Pushpin's place: runner/certs next to the file
        assertThat(t.certsDir()).isEqualTo(dir.toAbsolutePath().resolve("runner/certs"));
        Files.writeString(conf, "[runner]\nhttps_ports=99999\n");
        assertThatThrownBy(() -> PushpinConf.load(conf, w -> {}))
                .hasMessageContaining("https_ports")
                .hasMessageContaining("99999");
    }

    @Test
    void theOriginLearnsTheClientCameOverTls() throws Exception {
        // the client's own claim is replaced by the proxy's
        assertThat(get("localhost", "/xfp", "X-Forwarded-Proto: http\r\n"))
                .isEqualTo("CN=localhost X-Forwarded-Proto: [https]\n");
    }

    /** The served certificate's subject, then the body of GET /tls over TLS with {@code sni} (null: none). */
    static String get(String sni) throws Exception {
        return get(sni, "/tls", "");
    }

    /** As {@link #get(String)} for {@code path}, with {@code headers} (CRLF-terminated lines) in the request. */
    static String get(String sni, String path, String headers) throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[] {new TrustAll()}, null);
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", port)) {
            s.setSoTimeout(20_000);
            SSLParameters p = s.getSSLParameters();
            p.setServerNames(sni == null ? List.of() : List.of(new SNIHostName(sni)));
            s.setSSLParameters(p);
            s.startHandshake();
            X509Certificate cert = (X509Certificate) s.getSession().getPeerCertificates()[0];
            OutputStream out = s.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n" + headers + "Connection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String response = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(response).startsWith("HTTP/1.1 200");
            return cert.getSubjectX500Principal().getName() + " "
                    + response.substring(response.indexOf("\r\n\r\n") + 4);
        }
    }

    /** NAME.crt and NAME.key (PEM) in the certificates directory. */
    static void selfSigned(Path dir, String name, String dn, String dns) throws Exception {
        TestCertificate.create(dir, name, dn, "dns:" + dns)
                .writePem(certs.resolve(name + ".crt"), certs.resolve(name + ".key"));
    }

    /** The test looks at which certificate was served, not whether it is trusted. */
    static final class TrustAll implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
