package dev.outpost.grip.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.grip.instruct.KeepAliveMode;
import dev.outpost.grip.publish.WsMessageType;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ControlMessageParserTest {

    record Ok(String json, ControlMessage expected) {
        @Override
        public String toString() {
            return json;
        }
    }

    record Bad(String json, String message) {
        @Override
        public String toString() {
            return json;
        }
    }

    static Stream<Ok> ok() {
        return Stream.of(
                new Ok("{\"type\": \"subscribe\", \"channel\": \"a\"}", new ControlMessage.Subscribe("a", List.of())),
                new Ok(
                        "c:{\"type\": \"subscribe\", \"channel\": \"a\", \"filters\": [\"skip-self\"]}",
                        new ControlMessage.Subscribe("a", List.of("skip-self"))),
                new Ok("{\"type\": \"unsubscribe\", \"channel\": \"a\"}", new ControlMessage.Unsubscribe("a")),
                new Ok("{\"type\": \"detach\"}", new ControlMessage.Detach()),
                new Ok("{\"type\": \"session\", \"id\": \"s1\"}", new ControlMessage.Session("s1")),
                new Ok("{\"type\": \"session\"}", new ControlMessage.Session(null)),
                new Ok(
                        "{\"type\": \"set-meta\", \"name\": \"user\", \"value\": \"alice\"}",
                        new ControlMessage.SetMeta("user", "alice")),
                new Ok("{\"type\": \"set-meta\", \"name\": \"user\"}", new ControlMessage.SetMeta("user", null)),
                new Ok(
                        "{\"type\": \"keep-alive\", \"content\": \"{}\"}",
                        new ControlMessage.KeepAlive(WsMessageType.TEXT, b("{}"), 55, KeepAliveMode.IDLE)),
                new Ok(
                        "{\"type\": \"keep-alive\", \"content-bin\": \"AAE=\", \"timeout\": 30, \"mode\": \"interval\"}",
                        new ControlMessage.KeepAlive(
                                WsMessageType.BINARY, new byte[] {0, 1}, 30, KeepAliveMode.INTERVAL)),
                new Ok(
                        "{\"type\": \"keep-alive\", \"message-type\": \"ping\", \"content\": \"\", \"timeout\": 0}",
                        new ControlMessage.KeepAlive(WsMessageType.PING, new byte[0], 55, KeepAliveMode.IDLE)),
                new Ok(
                        "{\"type\": \"keep-alive\"}",
                        new ControlMessage.KeepAlive(WsMessageType.TEXT, null, 55, KeepAliveMode.IDLE)),
                new Ok(
                        "{\"type\": \"send-delayed\", \"content\": \"x\"}",
                        new ControlMessage.SendDelayed(WsMessageType.TEXT, b("x"), 1)),
                new Ok(
                        "{\"type\": \"send-delayed\", \"message-type\": \"binary\", \"content\": \"x\", \"timeout\": 5}",
                        new ControlMessage.SendDelayed(WsMessageType.BINARY, b("x"), 5)),
                new Ok("{\"type\": \"flush-delayed\"}", new ControlMessage.FlushDelayed()));
    }

    static Stream<Bad> bad() {
        String types =
                "(expected: subscribe, unsubscribe, detach, session, set-meta, keep-alive, send-delayed or flush-delayed)";
        return Stream.of(
                new Bad("", "control message: empty (expected: JSON object with 'type')"),
                new Bad("c:", "control message: empty (expected: JSON object with 'type')"),
                new Bad("c:{", "control message: not valid JSON (at line 1, column 2)"),
                new Bad("[]", "control message: an array (expected: JSON object with 'type')"),
                new Bad("{}", "control message: type: missing " + types),
                new Bad("{\"type\": 1}", "control message: type: 1 " + types),
                new Bad("{\"type\": \"publish\"}", "control message: type: \"publish\" " + types),
                new Bad("{\"type\": \"subscribe\"}", "subscribe: channel: missing (expected: non-empty string)"),
                new Bad(
                        "{\"type\": \"subscribe\", \"channel\": \"\"}",
                        "subscribe: channel: \"\" (expected: non-empty string)"),
                new Bad("{\"type\": \"subscribe\", \"channel\": 1}", "subscribe: channel: 1 (expected: string)"),
                new Bad(
                        "{\"type\": \"subscribe\", \"channel\": \"a\", \"filters\": \"x\"}",
                        "subscribe: filters: \"x\" (expected: array of strings)"),
                new Bad(
                        "{\"type\": \"subscribe\", \"channel\": \"a\", \"filters\": [1]}",
                        "subscribe: filters[0]: 1 (expected: string)"),
                new Bad(
                        "{\"type\": \"subscribe\", \"channel\": \"a\", \"filters\": [\"1\",\"2\",\"3\",\"4\",\"5\",\"6\"]}",
                        "subscribe: filters: 6 filters (expected: at most 5)"),
                new Bad("{\"type\": \"unsubscribe\"}", "unsubscribe: channel: missing (expected: non-empty string)"),
                new Bad("{\"type\": \"session\", \"id\": 5}", "session: id: 5 (expected: string)"),
                new Bad("{\"type\": \"set-meta\"}", "set-meta: name: missing (expected: non-empty string)"),
                new Bad(
                        "{\"type\": \"set-meta\", \"name\": \"\"}",
                        "set-meta: name: \"\" (expected: non-empty string)"),
                new Bad(
                        "{\"type\": \"set-meta\", \"name\": \"a\", \"value\": 1}",
                        "set-meta: value: 1 (expected: string)"),
                new Bad(
                        "{\"type\": \"keep-alive\", \"message-type\": \"close\"}",
                        "keep-alive: message-type: \"close\" (expected: text, binary, ping or pong)"),
                new Bad("{\"type\": \"keep-alive\", \"content\": 1}", "keep-alive: content: 1 (expected: string)"),
                new Bad(
                        "{\"type\": \"keep-alive\", \"content-bin\": \"!\"}",
                        "keep-alive: content-bin: \"!\" (expected: Base64)"),
                new Bad(
                        "{\"type\": \"keep-alive\", \"content\": \"x\", \"timeout\": -1}",
                        "keep-alive: timeout: -1 (expected: integer >= 0)"),
                new Bad(
                        "{\"type\": \"keep-alive\", \"content\": \"x\", \"timeout\": \"5\"}",
                        "keep-alive: timeout: \"5\" (expected: integer >= 0)"),
                new Bad(
                        "{\"type\": \"keep-alive\", \"content\": \"x\", \"mode\": \"often\"}",
                        "keep-alive: mode: \"often\" (expected: idle or interval)"),
                new Bad(
                        "{\"type\": \"send-delayed\", \"timeout\": 1.5}",
                        "send-delayed: timeout: 1.5 (expected: integer >= 0)"));
    }

    @ParameterizedTest
    @MethodSource("ok")
    void parses(Ok c) throws Exception {
        assertThat(ControlMessageParser.parse(b(c.json()))).isEqualTo(c.expected());
    }

    @ParameterizedTest
    @MethodSource("bad")
    void rejects(Bad c) {
        assertThatThrownBy(() -> ControlMessageParser.parse(b(c.json())))
                .isInstanceOf(ControlMessageException.class)
                .hasMessage(c.message());
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
