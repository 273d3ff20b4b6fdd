package dev.outpost.grip.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.outpost.grip.publish.PublishFormatException;
import dev.outpost.grip.tnet.PushMessage;
import dev.outpost.grip.tnet.TnetString;
import dev.outpost.grip.tnet.TnetStringException;

/**
 * Tnetstrings (Pushpin's ZeroMQ encoding) and the publish items read from a ZeroMQ frame: a value or the parser's own
 * exception, and what the writer makes of a parsed value parses back to the same bytes.
 */
class TnetFuzzTest {

    @FuzzTest(maxDuration = "5m")
    void tnetString(byte[] data) {
        Object value;
        try {
            value = TnetString.parse(data);
        } catch (TnetStringException e) {
            assertThat(e.getMessage()).isNotBlank();
            return;
        }
        byte[] written = TnetString.write(value);
        // byte[] leaves compare by identity, so compare the encodings: write(parse(write(v))) == write(v)
        try {
            assertThat(TnetString.write(TnetString.parse(written))).isEqualTo(written);
        } catch (TnetStringException e) {
            throw new AssertionError("the writer's own output does not parse: " + e.getMessage(), e);
        }
    }

    @FuzzTest(maxDuration = "5m")
    void pushFrame(byte[] data) {
        try {
            assertThat(PushMessage.item(data, null)).isNotNull();
        } catch (PublishFormatException e) {
            assertThat(e.getMessage()).isNotBlank();
        }
    }
}
