package dev.outpost.grip.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.outpost.grip.client.GripUrl;
import dev.outpost.grip.origin.GripSigVerifier;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * {@code GRIP_URL} values: a {@link GripUrl} whose derived parts (publish URI, {@code Host}, {@code Authorization})
 * can be computed, or an {@link IllegalArgumentException} from the parser itself.
 */
class GripUrlFuzzTest {

    @FuzzTest(maxDuration = "5m")
    void gripUrl(byte[] data) {
        String spec = new String(data, StandardCharsets.UTF_8);
        GripUrl url;
        try {
            url = GripUrl.parse(spec);
        } catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).matches("(?s)(empty|').*");
            return;
        }
        assertThat(url.publishUri()).isNotNull();
        assertThat(url.hostHeader()).isNotEmpty();
        assertThat(url.requestTarget()).contains("/publish/");
        assertThat(url.authorization(Instant.EPOCH)).isNotNull();
        if (url.key() != null || url.verifyKey() != null) {
            try {
                GripSigVerifier.fromGripUrl(spec);
            } catch (IllegalArgumentException e) {
                assertThat(e.getMessage()).isNotBlank();
            }
        }
    }
}
