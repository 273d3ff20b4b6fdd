package dev.outpost.grip.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.grip.instruct.KeepAliveMode;
import dev.outpost.grip.publish.WsMessageType;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ControlMessageWriterTest {
    @Test
    void everyMessageParsesBack() throws Exception {
        List<ControlMessage> all = List.of(
                new ControlMessage.Subscribe("chat", List.of("skip-self")),
                new ControlMessage.Unsubscribe("chat"),
                new ControlMessage.Detach(),
                new ControlMessage.Session("s1"),
                new ControlMessage.SetMeta("user", "bob"),
                new ControlMessage.KeepAlive(
                        WsMessageType.TEXT, "ka".getBytes(StandardCharsets.UTF_8), 20, KeepAliveMode.INTERVAL),
                // keep-alives off: type, timeout and mode were dropped, and came back as the defaults
                new ControlMessage.KeepAlive(WsMessageType.BINARY, null, 30, KeepAliveMode.INTERVAL),
                new ControlMessage.KeepAlive(WsMessageType.TEXT, null, 55, KeepAliveMode.IDLE),
                new ControlMessage.SendDelayed(WsMessageType.BINARY, new byte[] {1, 2}, 3),
                new ControlMessage.FlushDelayed());
        for (ControlMessage m : all) {
            byte[] wire = ControlMessageWriter.write(m);
            assertThat(ControlMessageParser.isControl(wire)).isTrue();
            assertThat(ControlMessageParser.parse(Arrays.copyOfRange(wire, 2, wire.length)))
                    .isEqualTo(m);
        }
        assertThat(new String(ControlMessageWriter.write(new ControlMessage.Detach()), StandardCharsets.UTF_8))
                .isEqualTo("c:{\"type\":\"detach\"}");
        assertThat(new String(
                        ControlMessageWriter.write(new ControlMessage.KeepAlive(
                                WsMessageType.TEXT,
                                null,
                                ControlMessage.KeepAlive.DEFAULT_TIMEOUT,
                                KeepAliveMode.IDLE)),
                        StandardCharsets.UTF_8))
                .isEqualTo("c:{\"type\":\"keep-alive\"}");
    }
}
