package dev.outpost.proxy.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.grip.client.GripPublisher;
import dev.outpost.grip.client.PublishException;
import dev.outpost.grip.sig.GripSig;
import dev.outpost.proxy.OutpostProxy;
import dev.outpost.proxy.config.ConfigException;
import dev.outpost.proxy.config.ProxyConfig;
import dev.outpost.proxy.config.PushpinConf;
import dev.outpost.proxy.support.LeakGuard;
import dev.outpost.proxy.support.ProxyHarness;
import dev.outpost.proxy.support.RawHttp;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Publish authentication (issue 16): off by default; with {@code push_in_http_auth_key} (and optionally
 * {@code push_in_http_auth_iss}, {@code push_in_http_auth_basic}) only what a GRIP_URL's credentials produce may
 * publish, everything else gets a 401 that says what is expected. A held stream shows that an accepted publish is
 * delivered.
 */
@ExtendWith(LeakGuard.class)
@Timeout(60)
class PublishAuthTest {
    static final String ITEM =
            "{\"items\":[{\"channel\":\"test\",\"formats\":{\"http-stream\":{\"content\":\"hi\\n\"}}}]}";
    static final byte[] KEY = "s3cret-publish-key".getBytes(StandardCharsets.UTF_8);

    OutpostProxy proxy;

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
    }

    private void start(String... settings) throws Exception {
        proxy = ProxyHarness.start(null, b -> {
            for (int i = 0; i < settings.length; i += 2) {
                b.setting(settings[i], settings[i + 1]);
            }
            return b;
        });
    }

    private RawHttp.Response post(String... headers) throws Exception {
        try (RawHttp c = new RawHttp(proxy.publishPort())) {
            StringBuilder sb = new StringBuilder("POST /publish/ HTTP/1.1\r\nHost: 127.0.0.1\r\n");
            for (String h : headers) {
                sb.append(h).append("\r\n");
            }
            byte[] b = ITEM.getBytes(StandardCharsets.UTF_8);
            sb.append("Content-Type: application/json\r\nContent-Length: ")
                    .append(b.length)
                    .append("\r\n\r\n");
            c.send(sb.toString());
            c.send(b);
            return c.read();
        }
    }

    private static String bearer(String iss, byte[] key, Instant now) {
        return "Authorization: Bearer " + GripSig.sign(iss, key, now);
    }

    @Test
    void offByDefault() throws Exception {
        start();
        assertThat(post().status()).isEqualTo(200);
    }

    @Test
    void aKeyRequiresASignedBearerJwt() throws Exception {
        start(PublishAuth.KEY, "s3cret-publish-key");
        RawHttp.Response r = post();
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.header("WWW-Authenticate")).isEqualTo("Bearer realm=\"publish\"");
        assertThat(r.text()).startsWith("Unauthorized: this publish port requires credentials");

        r = post(bearer("me", "another key".getBytes(StandardCharsets.UTF_8), Instant.now()));
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.text()).contains("not signed with push_in_http_auth_key");
        // expired an hour and more ago
        assertThat(post(bearer("me", KEY, Instant.now().minusSeconds(3700))).status())
                .isEqualTo(401);
        r = post("Authorization: Basic " + Base64.getEncoder().encodeToString("a:b".getBytes(StandardCharsets.UTF_8)));
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.text()).contains("Basic scheme is not accepted");
        assertThat(r.text()).doesNotContain("s3cret");

        assertThat(post(bearer("me", KEY, Instant.now())).status()).isEqualTo(200);
        // a GRIP_URL with ?key= alone sends the key itself
        assertThat(post("Authorization: Bearer s3cret-publish-key").status()).isEqualTo(200);
        assertThat(post("Authorization: Bearer s3cret-publish-kez").status()).isEqualTo(401);
        // GET / and /recover are behind the key too
        try (RawHttp c = new RawHttp(proxy.publishPort())) {
            assertThat(c.send("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                            .read()
                            .status())
                    .isEqualTo(401);
        }
    }

    @Test
    void anIssuerWhenRequiredMustMatch() throws Exception {
        start(PublishAuth.KEY, "base64:" + Base64.getEncoder().encodeToString(KEY), PublishAuth.ISS, "backend");
        assertThat(post(bearer("backend", KEY, Instant.now())).status()).isEqualTo(200);
        RawHttp.Response r = post(bearer("someone", KEY, Instant.now()));
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.text()).contains("iss");
        // the bare key is not enough when an issuer is asked for
        assertThat(post("Authorization: Bearer s3cret-publish-key").status()).isEqualTo(401);
    }

    @Test
    void basicCredentials() throws Exception {
        start(PublishAuth.BASIC, "publisher:pa:ss");
        String good = Base64.getEncoder().encodeToString("publisher:pa:ss".getBytes(StandardCharsets.UTF_8));
        String bad = Base64.getEncoder().encodeToString("publisher:nope".getBytes(StandardCharsets.UTF_8));
        assertThat(post("Authorization: Basic " + good).status()).isEqualTo(200);
        RawHttp.Response r = post("Authorization: Basic " + bad);
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.header("WWW-Authenticate")).isEqualTo("Basic realm=\"publish\"");
        assertThat(post(bearer("me", KEY, Instant.now())).status()).isEqualTo(401);
    }

    @Test
    void gripPublisherSignsAsTheGripUrlSays() throws Exception {
        start(PublishAuth.KEY, "s3cret-publish-key", PublishAuth.ISS, "backend");
        String base = "http://127.0.0.1:" + proxy.publishPort();
        try (RawHttp stream = new RawHttp(proxy.httpPort())) {
            stream.send(RawHttp.get("/stream")).readHead();
            ProxyHarness.awaitSubscribers(proxy, "test", 1);
            try (GripPublisher p = GripPublisher.fromGripUrl(base + "?iss=backend&key=s3cret-publish-key")) {
                p.publishHttpStream("test", "signed\n");
            }
            assertThat(readUntil(stream, "signed\n")).isTrue();
        }
        try (GripPublisher p = GripPublisher.fromGripUrl(base + "?iss=other&key=s3cret-publish-key")) {
            assertThatThrownBy(() -> p.publishHttpStream("test", "x"))
                    .isInstanceOfSatisfying(
                            PublishException.class, e -> assertThat(e.status()).isEqualTo(401));
        }
        try (GripPublisher p = GripPublisher.fromGripUrl(base)) {
            assertThatThrownBy(() -> p.publishHttpStream("test", "x"))
                    .isInstanceOfSatisfying(PublishException.class, e -> {
                        assertThat(e.status()).isEqualTo(401);
                        assertThat(e.body()).contains("requires credentials");
                    });
        }
    }

    @Test
    void pushpinPublishIsRefusedWithTheReason() throws Exception {
        Assumptions.assumeTrue(onPath("pushpin-publish"), "pushpin-publish (Debian package pushpin) not installed");
        start(PublishAuth.KEY, "s3cret-publish-key");
        String base = "http://127.0.0.1:" + proxy.publishPort();
        // pushpin-publish 1.36 signs nothing with a GRIP_URL's iss and key, and sends Basic credentials (-u) only
        // over https: against this port it is refused, with the reason it prints
        assertThat(run("pushpin-publish", "--spec", base + "/?iss=backend&key=s3cret-publish-key", "test", "hi"))
                .startsWith("1 ")
                .contains("Unauthorized: this publish port requires credentials");
        assertThat(run("pushpin-publish", "--spec", base, "test", "hi")).startsWith("1 ");
    }

    @Test
    void badSettingsAreRefusedNamingTheKeyNotTheSecret() {
        assertThatThrownBy(() -> conf("push_in_http_auth_key=base64:!!!"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("push_in_http_auth_key")
                .hasMessageNotContaining("!!!");
        assertThatThrownBy(() -> conf("push_in_http_auth_basic=nocolon"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("USER:PASSWORD")
                .hasMessageNotContaining("nocolon");
        assertThatThrownBy(() -> PublishAuth.of(ProxyConfig.builder()
                        .setting(PublishAuth.ISS, "backend")
                        .build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("without push_in_http_auth_key");
    }

    @Test
    void readFromPushpinConfWithACommaInTheSecret() throws Exception {
        ProxyConfig c =
                conf("push_in_http_auth_key=a,b").httpPort(0).publishPort(0).build();
        assertThat(c.setting(PublishAuth.KEY)).contains("a,b");
        proxy = OutpostProxy.start(c, null);
        assertThat(post("Authorization: Bearer a,b").status()).isEqualTo(200);
    }

    private static ProxyConfig.Builder conf(String line) throws Exception {
        Path dir = Files.createTempDirectory("publish-auth");
        Path f = dir.resolve("pushpin.conf");
        Files.writeString(f, "[handler]\n" + line + "\n");
        List<String> warnings = new ArrayList<>();
        try {
            ProxyConfig.Builder b = PushpinConf.load(f, warnings::add);
            assertThat(warnings).isEmpty();
            return b;
        } finally {
            Files.delete(f);
            Files.delete(dir);
        }
    }

    private static boolean readUntil(RawHttp stream, String text) throws Exception {
        StringBuilder seen = new StringBuilder();
        while (!seen.toString().contains(text)) {
            seen.append(stream.readChunkText());
        }
        return true;
    }

    private static boolean onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }

    /** The exit code, and what the command printed (for a failure's message). */
    private static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + ": no exit within 30 s");
        }
        return p.exitValue() + " " + out.strip();
    }
}
