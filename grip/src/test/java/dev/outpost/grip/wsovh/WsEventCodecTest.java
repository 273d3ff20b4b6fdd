package dev.outpost.grip.wsovh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class WsEventCodecTest {

    record Wire(String name, List<WsEvent> events, String wire) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Wire> wire() {
        return Stream.of(
                new Wire("open", List.of(new WsEvent.Open()), "OPEN\r\n"),
                new Wire("text", List.of(new WsEvent.Text("hello")), "TEXT 5\r\nhello\r\n"),
                new Wire("empty text keeps length", List.of(new WsEvent.Text("")), "TEXT 0\r\n\r\n"),
                new Wire(
                        "binary",
                        List.of(new WsEvent.Binary(new byte[] {0, (byte) 0xff})),
                        "BINARY 2\r\n\u0000\u00ff\r\n"),
                new Wire(
                        "lowercase hex",
                        List.of(new WsEvent.Text("x".repeat(26))),
                        "TEXT 1a\r\n" + "x".repeat(26) + "\r\n"),
                new Wire("empty ping has no length", List.of(new WsEvent.Ping(new byte[0])), "PING\r\n"),
                new Wire("ping", List.of(new WsEvent.Ping(b("p"))), "PING 1\r\np\r\n"),
                new Wire("pong", List.of(new WsEvent.Pong(new byte[0])), "PONG\r\n"),
                new Wire("close no code", List.of(new WsEvent.Close(-1, "")), "CLOSE\r\n"),
                new Wire("close code", List.of(new WsEvent.Close(1000, "")), "CLOSE 2\r\n\u0003\u00e8\r\n"),
                new Wire(
                        "close code reason", List.of(new WsEvent.Close(4001, "bye")), "CLOSE 5\r\n\u000f\u00a1bye\r\n"),
                new Wire("disconnect", List.of(new WsEvent.Disconnect()), "DISCONNECT\r\n"),
                new Wire(
                        "sequence",
                        List.of(new WsEvent.Open(), new WsEvent.Text("a"), new WsEvent.Close(1000, "")),
                        "OPEN\r\nTEXT 1\r\na\r\nCLOSE 2\r\n\u0003\u00e8\r\n"),
                new Wire("content with CRLF inside", List.of(new WsEvent.Text("a\r\nb")), "TEXT 4\r\na\r\nb\r\n"),
                new Wire("nothing", List.of(), ""));
    }

    @ParameterizedTest
    @MethodSource("wire")
    void encodes(Wire w) {
        assertThat(WsEventCodec.encode(w.events())).isEqualTo(latin1(w.wire()));
    }

    @ParameterizedTest
    @MethodSource("wire")
    void decodes(Wire w) throws Exception {
        assertThat(WsEventCodec.decode(latin1(w.wire()))).isEqualTo(w.events());
    }

    @Test
    void decodesUppercaseHexAndMissingFinalCrlf() throws Exception {
        assertThat(WsEventCodec.decode(latin1("TEXT 1A\r\n" + "y".repeat(26) + "\r\nTEXT 2\r\nok")))
                .containsExactly(new WsEvent.Text("y".repeat(26)), new WsEvent.Text("ok"));
    }

    @Test
    void decodesUtf8CloseReason() throws Exception {
        byte[] reason = "ciao ☃".getBytes(StandardCharsets.UTF_8);
        byte[] content = new byte[reason.length + 2];
        content[0] = 0x03;
        content[1] = (byte) 0xe9;
        System.arraycopy(reason, 0, content, 2, reason.length);
        byte[] wire = WsEventCodec.encode(List.of(new WsEvent.Close(1001, "ciao ☃")));
        assertThat(WsEventCodec.decode(wire)).containsExactly(new WsEvent.Close(1001, "ciao ☃"));
        assertThat(new String(wire, StandardCharsets.ISO_8859_1))
                .startsWith("CLOSE " + Integer.toHexString(content.length) + "\r\n");
    }

    @Test
    void skipsUnknownEventTypes() throws Exception {
        assertThat(WsEventCodec.decode(latin1("OPEN\r\nFUTURE 3\r\nabc\r\nSOMETHING\r\nTEXT 1\r\nx\r\n")))
                .containsExactly(new WsEvent.Open(), new WsEvent.Text("x"));
    }

    record Bad(String wire, String message) {
        @Override
        public String toString() {
            return message;
        }
    }

    static Stream<Bad> bad() {
        return Stream.of(
                new Bad(
                        "OPEN",
                        "event at offset 0: type line not terminated by CRLF (expected: TYPE or TYPE HEXLEN followed by CRLF)"),
                new Bad(
                        "OPEN\r\nTEXT 5",
                        "event at offset 6: type line not terminated by CRLF (expected: TYPE or TYPE HEXLEN followed by CRLF)"),
                new Bad(
                        "\r\n",
                        "event at offset 0: invalid type '' (expected: OPEN, TEXT, BINARY, PING, PONG, CLOSE or DISCONNECT)"),
                new Bad(
                        "text 1\r\nx\r\n",
                        "event at offset 0: invalid type 'text' (expected: OPEN, TEXT, BINARY, PING, PONG, CLOSE or DISCONNECT)"),
                new Bad(
                        "TEXT\u0001\r\n",
                        "event at offset 0: invalid type 'TEXT\\x01' (expected: OPEN, TEXT, BINARY, PING, PONG, CLOSE or DISCONNECT)"),
                new Bad(
                        "TEXT zz\r\n",
                        "event TEXT at offset 0: invalid length 'zz' (expected: hexadecimal byte count)"),
                new Bad("TEXT \r\n", "event TEXT at offset 0: invalid length '' (expected: hexadecimal byte count)"),
                new Bad(
                        "TEXT -1\r\n",
                        "event TEXT at offset 0: invalid length '-1' (expected: hexadecimal byte count)"),
                new Bad(
                        "TEXT 0x1\r\nx\r\n",
                        "event TEXT at offset 0: invalid length '0x1' (expected: hexadecimal byte count)"),
                new Bad(
                        "TEXT 1 2\r\nx\r\n",
                        "event TEXT at offset 0: invalid length '1 2' (expected: hexadecimal byte count)"),
                new Bad(
                        "TEXT 123456789\r\n",
                        "event TEXT at offset 0: invalid length '123456789' (expected: hexadecimal byte count)"),
                new Bad("TEXT 5\r\nabc", "event TEXT at offset 0: length 5 exceeds the 3 bytes left in the body"),
                new Bad("TEXT 2\r\nabc\r\n", "event TEXT at offset 0: content of 2 bytes not followed by CRLF"),
                new Bad("TEXT 2\r\nab\r", "event TEXT at offset 0: content of 2 bytes not followed by CRLF"),
                new Bad(
                        "CLOSE 1\r\nx\r\n",
                        "event CLOSE at offset 0: content of 1 byte (expected: none, or a 2-byte code and an optional reason)"));
    }

    @ParameterizedTest
    @MethodSource("bad")
    void rejects(Bad b) {
        assertThatThrownBy(() -> WsEventCodec.decode(latin1(b.wire())))
                .isInstanceOf(WsEventException.class)
                .hasMessage(b.message());
    }

    private static byte[] latin1(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
