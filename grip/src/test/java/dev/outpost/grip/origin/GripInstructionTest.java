package dev.outpost.grip.origin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.grip.instruct.GripChannel;
import dev.outpost.grip.instruct.GripInstruct;
import dev.outpost.grip.instruct.GripInstructParser;
import dev.outpost.grip.instruct.HoldMode;
import dev.outpost.grip.instruct.InstructResponse;
import dev.outpost.grip.instruct.KeepAliveMode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the builder writes is what the proxy's parser reads. */
class GripInstructionTest {
    static GripInstruct parseHeaders(GripInstruction g) throws Exception {
        return GripInstructParser.parse(200, g.headers(), new byte[0]);
    }

    @Test
    void streamHoldWithEverythingRoundTripsThroughHeaders() throws Exception {
        GripInstruction g = GripInstruction.holdStream("news")
                .channel("odd \"name\"", "id 7; x", "skip-self", "require-sub")
                .keepAlive("\n", 20)
                .nextLink("/stream?after=7", 30)
                .meta("user", "bob smith")
                .status(202);
        GripInstruct parsed = parseHeaders(g);
        assertThat(parsed).isEqualTo(g.toInstruct());
        assertThat(parsed.hold()).isEqualTo(HoldMode.STREAM);
        assertThat(parsed.channels())
                .containsExactly(
                        new GripChannel("news"),
                        new GripChannel("odd \"name\"", "id 7; x", List.of("skip-self", "require-sub")));
        assertThat(parsed.keepAlive().content()).isEqualTo("\n".getBytes(StandardCharsets.UTF_8));
        assertThat(g.headers()).contains(Map.entry("Grip-Keep-Alive", "\\n; format=cstring; timeout=20"));
    }

    @Test
    void longPollWithTimeoutAndPrevId() throws Exception {
        GripInstruction g = GripInstruction.holdResponse().channel("news", "41").timeout(30);
        assertThat(g.headers())
                .containsExactly(
                        Map.entry("Grip-Hold", "response"),
                        Map.entry("Grip-Channel", "news; prev-id=41"),
                        Map.entry("Grip-Timeout", "30"));
        assertThat(parseHeaders(g)).isEqualTo(g.toInstruct());
    }

    @Test
    void binaryAndPlainKeepAlives() throws Exception {
        GripInstruction bin = GripInstruction.holdStream("c").keepAlive(new byte[] {0, 1}, 5, KeepAliveMode.INTERVAL);
        assertThat(parseHeaders(bin)).isEqualTo(bin.toInstruct());
        GripInstruction plain = GripInstruction.holdStream("c").keepAlive(":ping", 15);
        assertThat(plain.headers()).contains(Map.entry("Grip-Keep-Alive", ":ping; timeout=15"));
        assertThat(parseHeaders(plain)).isEqualTo(plain.toInstruct());
    }

    @Test
    void instructBodyCarriesTheHoldAndTheResponse() throws Exception {
        GripInstruction g = GripInstruction.holdResponse("a, b; c")
                .timeout(10)
                .keepAlive("x", 3)
                .meta("k", "v")
                .nextLink("/next")
                .response(200, List.of(Map.entry("Content-Type", "text/plain")), "timed out\n");
        List<Map.Entry<String, String>> headers = new ArrayList<>(g.instructHeaders());
        GripInstruct parsed = GripInstructParser.parse(200, headers, g.instructBody());
        GripInstruct expected = g.toInstruct();
        assertThat(parsed.hold()).isEqualTo(expected.hold());
        assertThat(parsed.channels()).isEqualTo(expected.channels());
        assertThat(parsed.timeoutSeconds()).isEqualTo(10);
        assertThat(parsed.keepAlive()).isEqualTo(expected.keepAlive());
        assertThat(parsed.meta()).isEqualTo(Map.of("k", "v"));
        assertThat(parsed.nextLink()).isEqualTo(expected.nextLink());
        assertThat(parsed.response())
                .isEqualTo(new InstructResponse(
                        200,
                        "OK",
                        List.of(Map.entry("Content-Type", "text/plain")),
                        "timed out\n".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void mistakesAreNamed() {
        assertThatThrownBy(() -> GripInstruction.holdStream().headers()).hasMessageContaining("without channels");
        assertThatThrownBy(() -> GripInstruction.holdStream("a,b").headers())
                .hasMessageContaining("channel 'a,b'")
                .hasMessageContaining("instructBody()");
        assertThatThrownBy(() -> GripInstruction.holdStream("c").keepAlive("", 5))
                .hasMessageContaining("empty");
        assertThatThrownBy(() -> GripInstruction.holdResponse("c").timeout(-1)).hasMessageContaining("timeout: -1");
        assertThatThrownBy(() -> GripInstruction.holdStream("c").channel("d", null, "1", "2", "3", "4", "5", "6"))
                .hasMessageContaining("at most 5");
    }
}
