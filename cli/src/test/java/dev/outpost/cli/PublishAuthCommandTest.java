package dev.outpost.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.proxy.OutpostProxy;
import dev.outpost.proxy.config.ProxyConfig;
import dev.outpost.proxy.publish.PublishAuth;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code outpost publish} against a proxy whose publish port requires credentials (issue 16). */
@Timeout(30)
class PublishAuthCommandTest {
    static OutpostProxy proxy;
    static String base;

    @BeforeAll
    static void start() {
        proxy = OutpostProxy.start(
                ProxyConfig.builder()
                        .httpPort(0)
                        .publishPort(0)
                        .setting(PublishAuth.KEY, "base64:c2VjcmV0LWtleQ==")
                        .setting(PublishAuth.ISS, "backend")
                        .setting(PublishAuth.BASIC, "pub:word")
                        .build(),
                null);
        base = "http://127.0.0.1:" + proxy.publishPort();
    }

    @AfterAll
    static void stop() {
        proxy.close();
    }

    @Test
    void aGripUrlsIssAndKeySignTheRequest() {
        PublishRun r = PublishRun.run("--spec", base + "?iss=backend&key=base64:c2VjcmV0LWtleQ==", "test", "hi");
        assertThat(r.code()).as(r.err()).isZero();
        r = PublishRun.run(Map.of("GRIP_URL", base + "?iss=backend&key=secret-key"), new byte[0], "test", "hi");
        assertThat(r.code()).as(r.err()).isZero();
    }

    @Test
    void basicFromTheUrlOrTheOption() {
        PublishRun r = PublishRun.run("--spec", "http://pub:word@127.0.0.1:" + proxy.publishPort(), "test", "hi");
        assertThat(r.code()).as(r.err()).isZero();
        r = PublishRun.run("--spec", base, "-u", "pub:word", "test", "hi");
        assertThat(r.code()).as(r.err()).isZero();
    }

    @Test
    void withoutCredentialsItFailsSayingWhy() {
        PublishRun r = PublishRun.run("--spec", base, "test", "hi");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("401", "requires credentials");
        r = PublishRun.run("--spec", base + "?iss=someone&key=secret-key", "test", "hi");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("401", "iss");
    }
}
