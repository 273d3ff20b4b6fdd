package dev.outpost.grip.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.outpost.grip.control.ControlMessage;
import dev.outpost.grip.control.ControlMessageException;
import dev.outpost.grip.control.ControlMessageParser;
import dev.outpost.grip.control.ControlMessageWriter;

/**
 * WebSocket control messages ({@code c:{...}} from the origin): a message or {@link ControlMessageException}, and the
 * writer's output of a parsed message parses back to it.
 */
class ControlMessageFuzzTest {

    @FuzzTest(maxDuration = "5m")
    void controlMessage(byte[] data) {
        ControlMessage m;
        try {
            m = ControlMessageParser.parse(data);
        } catch (ControlMessageException e) {
            assertThat(e.getMessage()).isNotBlank();
            return;
        }
        assertThat(m).isNotNull();
        byte[] again = ControlMessageWriter.write(m);
        try {
            assertThat(ControlMessageParser.parse(again)).isEqualTo(m);
        } catch (ControlMessageException e) {
            throw new AssertionError("the writer's own output does not parse: " + e.getMessage(), e);
        }
    }
}
