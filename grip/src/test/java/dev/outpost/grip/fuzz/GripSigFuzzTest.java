package dev.outpost.grip.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.outpost.grip.origin.GripSigVerifier;
import dev.outpost.grip.sig.GripSig;
import dev.outpost.grip.sig.SigKey;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * {@code Grip-Sig}: any header value verifies to true or false and never throws; what is signed verifies with its key
 * until it expires and never with another key; key specs parse or fail with {@link IllegalArgumentException}.
 */
class GripSigFuzzTest {
    private static final byte[] KEY = "changeme".getBytes(StandardCharsets.UTF_8);
    private static final Instant NOW = Instant.ofEpochSecond(1_700_000_000L);

    /** A header value as the proxy or an origin receives it (one char per byte). */
    @FuzzTest(maxDuration = "5m")
    void verify(byte[] data) {
        String token = new String(data, StandardCharsets.ISO_8859_1);
        boolean valid = GripSig.verify(token, KEY, NOW);
        // a forged token must not verify with another key
        if (valid) {
            assertThat(GripSig.verify(token, "other".getBytes(StandardCharsets.UTF_8), NOW))
                    .isFalse();
        }
        assertThat(GripSigVerifier.of(KEY).requireIssuer("pushpin").isValid(token, NOW))
                .isIn(true, false);
    }

    @FuzzTest(maxDuration = "5m")
    void signThenVerify(FuzzedDataProvider in) {
        String iss = in.consumeString(64);
        byte[] key = in.consumeBytes(64);
        String spec = in.consumeRemainingAsString();
        if (key.length > 0) {
            String token = GripSig.sign(iss, key, NOW);
            assertThat(GripSig.verify(token, key, NOW)).isTrue();
            assertThat(GripSig.verify(token, key, NOW.plusSeconds(GripSig.TTL_SECONDS)))
                    .isFalse();
            assertThat(GripSigVerifier.of(key).requireIssuer(iss).isValid(token, NOW))
                    .isTrue();
        }
        try {
            assertThat(SigKey.parse(spec)).isNotNull();
        } catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).startsWith("sig key: ");
        }
    }
}
