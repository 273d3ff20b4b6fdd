package dev.outpost.grip.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.grip.sig.GripSig;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class GripUrlTest {
    static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void defaultIsLocalPublishPort() {
        GripUrl u = GripUrl.parse(GripUrl.DEFAULT);
        assertThat(u.host()).isEqualTo("localhost");
        assertThat(u.port()).isEqualTo(5561);
        assertThat(u.publishUri()).hasToString("http://localhost:5561/publish/");
        assertThat(u.requestTarget()).isEqualTo("/publish/");
        assertThat(u.hostHeader()).isEqualTo("localhost:5561");
        assertThat(u.authorization(NOW)).isEmpty();
    }

    @Test
    void pathIsKeptAndTrailingSlashesDropped() {
        GripUrl u = GripUrl.parse("https://api.example.com/service/abc//");
        assertThat(u.port()).isEqualTo(443);
        assertThat(u.requestTarget()).isEqualTo("/service/abc/publish/");
        assertThat(u.hostHeader()).isEqualTo("api.example.com");
        assertThat(u.publishUri()).hasToString("https://api.example.com:443/service/abc/publish/");
    }

    @Test
    void ipv6Host() {
        GripUrl u = GripUrl.parse("http://[::1]:5561");
        assertThat(u.host()).isEqualTo("::1");
        assertThat(u.hostHeader()).isEqualTo("[::1]:5561");
        assertThat(u.publishUri()).hasToString("http://[::1]:5561/publish/");
    }

    @Test
    void issAndKeySignAJwt() {
        GripUrl u = GripUrl.parse("http://localhost:5561?iss=realm&key=secret");
        assertThat(u.iss()).isEqualTo("realm");
        assertThat(u.requestTarget()).isEqualTo("/publish/");
        String auth = u.authorization(NOW).orElseThrow();
        assertThat(auth).startsWith("Bearer ");
        String jwt = auth.substring("Bearer ".length());
        assertThat(GripSig.verify(jwt, "secret".getBytes(StandardCharsets.UTF_8), NOW))
                .isTrue();
        assertThat(GripSig.verify(jwt, "other".getBytes(StandardCharsets.UTF_8), NOW))
                .isFalse();
    }

    @Test
    void base64KeyKeepsItsPlusSigns() {
        byte[] key = {(byte) 0xfb, (byte) 0xef, (byte) 0xbe, 1, 2, 3};
        String b64 = Base64.getEncoder().encodeToString(key);
        assertThat(b64).contains("+");
        GripUrl u = GripUrl.parse("http://h:1/?iss=i&key=base64:" + b64);
        String jwt = u.authorization(NOW).orElseThrow().substring("Bearer ".length());
        assertThat(GripSig.verify(jwt, key, NOW)).isTrue();
    }

    @Test
    void percentEncodedKey() {
        GripUrl u = GripUrl.parse("http://h:1/?iss=i&key=a%26b");
        String jwt = u.authorization(NOW).orElseThrow().substring("Bearer ".length());
        assertThat(GripSig.verify(jwt, "a&b".getBytes(StandardCharsets.UTF_8), NOW))
                .isTrue();
    }

    @Test
    void keyAloneIsABearerToken() {
        assertThat(GripUrl.parse("http://h:1?key=tok123").authorization(NOW)).contains("Bearer tok123");
    }

    @Test
    void userInfoIsBasic() {
        GripUrl u = GripUrl.parse("http://alice:s3cret@h:1");
        assertThat(u.authorization(NOW))
                .contains(
                        "Basic " + Base64.getEncoder().encodeToString("alice:s3cret".getBytes(StandardCharsets.UTF_8)));
        assertThat(u.publishUri().toString()).doesNotContain("s3cret");
        assertThat(u.toString()).doesNotContain("s3cret");
    }

    @Test
    void verifyParamsAreDroppedOtherParamsKept() {
        GripUrl u = GripUrl.parse("http://h:1/p?verify-iss=x&verify-key=y&tenant=a%20b");
        assertThat(u.requestTarget()).isEqualTo("/p/publish/?tenant=a%20b");
        assertThat(u.authorization(NOW)).isEmpty();
        assertThat(u.verifyIss()).isEqualTo("x");
        assertThat(u.verifyKey()).isEqualTo("y");
    }

    @Test
    void zmqSpecIsRefused() {
        assertThatThrownBy(() -> GripUrl.parse("tcp://127.0.0.1:5560"))
                .hasMessage("'tcp://127.0.0.1:5560': ZeroMQ specs are not supported "
                        + "(expected: an http:// or https:// GRIP URL)");
    }

    @Test
    void badUrls() {
        assertThatThrownBy(() -> GripUrl.parse("")).hasMessageContaining("empty");
        assertThatThrownBy(() -> GripUrl.parse("localhost:5561"))
                .hasMessageContaining("'localhost:5561'")
                .hasMessageContaining("expected: http[s]://");
        assertThatThrownBy(() -> GripUrl.parse("http://")).hasMessageContaining("'http://'");
        assertThatThrownBy(() -> GripUrl.parse("http://h:1/#x")).hasMessageContaining("fragment");
    }

    @Test
    void issWithoutKeyIsAnErrorThatHidesTheQuery() {
        assertThatThrownBy(() -> GripUrl.parse("http://h:1?iss=realm"))
                .hasMessage("'http://h:1?...': iss but no key (expected: both iss=ISS and key=KEY to sign a token)");
    }

    @Test
    void invalidBase64KeyIsNamedWithoutTheKey() {
        assertThatThrownBy(() -> GripUrl.parse("http://h:1?iss=i&key=base64:@@@"))
                .hasMessage("'http://h:1?...': key is not valid (expected: plain text or base64:BASE64)");
    }

    /** Found by fuzzing: the URL parsed, and signing the publish token then failed with "sig key: empty". */
    @Test
    void emptyBase64KeyIsAnError() {
        assertThatThrownBy(() -> GripUrl.parse("http://h:1?iss=i&key=base64:"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("'http://h:1?...': key is empty (expected: plain text or base64:BASE64)");
        assertThatThrownBy(() -> GripUrl.parse("http://h:1?verify-key=base64:%20"))
                .hasMessage("'http://h:1?...': verify-key is empty (expected: plain text or base64:BASE64)");
    }

    @Test
    void redactHidesPasswordAndQuery() {
        assertThat(GripUrl.redact("http://u:p@h:1/x?key=k")).isEqualTo("http://u:***@h:1/x?...");
        assertThat(GripUrl.redact("http://h:1/x")).isEqualTo("http://h:1/x");
    }
}
