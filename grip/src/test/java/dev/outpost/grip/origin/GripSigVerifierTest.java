package dev.outpost.grip.origin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.grip.sig.GripSig;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class GripSigVerifierTest {
    static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    static final byte[] KEY = "changeme".getBytes(StandardCharsets.UTF_8);

    @Test
    void acceptsTheProxysSignatureAndNothingElse() {
        String sig = GripSig.sign("pushpin", KEY, NOW);
        GripSigVerifier v = GripSigVerifier.of("changeme");
        assertThat(v.isValid(sig, NOW)).isTrue();
        assertThat(v.isValid(sig, NOW.plusSeconds(GripSig.TTL_SECONDS + 1))).isFalse();
        assertThat(v.isValid(null, NOW)).isFalse();
        assertThat(v.isValid("not a jwt", NOW)).isFalse();
        assertThat(GripSigVerifier.of("other").isValid(sig, NOW)).isFalse();
        assertThat(v.requireIssuer("pushpin").isValid(sig, NOW)).isTrue();
        assertThat(v.requireIssuer("someone").isValid(sig, NOW)).isFalse();
    }

    @Test
    void fromAGripUrlUsesVerifyKeyAndVerifyIss() {
        String sig = GripSig.sign("realm", KEY, NOW);
        String b64 = Base64.getEncoder().encodeToString(KEY);
        assertThat(GripSigVerifier.fromGripUrl("http://h:1?verify-iss=realm&verify-key=base64:" + b64)
                        .isValid(sig, NOW))
                .isTrue();
        assertThat(GripSigVerifier.fromGripUrl("http://h:1?verify-iss=other&verify-key=changeme")
                        .isValid(sig, NOW))
                .isFalse();
        assertThat(GripSigVerifier.fromGripUrl("http://h:1?iss=realm&key=changeme")
                        .isValid(sig, NOW))
                .isTrue();
        assertThatThrownBy(() -> GripSigVerifier.fromGripUrl("http://h:1")).hasMessageContaining("no verify-key");
    }
}
