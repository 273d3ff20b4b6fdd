package dev.outpost.grip.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.outpost.grip.instruct.GripInstruct;
import dev.outpost.grip.instruct.GripInstructException;
import dev.outpost.grip.instruct.GripInstructParser;
import dev.outpost.grip.instruct.HeaderParams;
import java.nio.charset.StandardCharsets;

/**
 * GRIP instructions as an origin's response carries them ({@code Grip-*} headers, an {@code application/grip-instruct}
 * body) and the header parameter syntax under them: a value or {@link GripInstructException}, nothing else.
 */
class InstructFuzzTest {

    /** The input reads {@code STATUS\nName: value\n...\n\nBODY} (see {@link Inputs#message}). */
    @FuzzTest(maxDuration = "5m")
    void instruct(byte[] data) {
        Inputs.Message m = Inputs.message(data);
        int status = parseStatus(m.firstLine());
        GripInstruct g;
        try {
            g = GripInstructParser.parse(status, m.headers(), m.body());
        } catch (GripInstructException e) {
            assertThat(e.getMessage()).isNotBlank();
            return;
        }
        assertThat(g.timeoutSeconds()).isGreaterThanOrEqualTo(GripInstruct.MIN_TIMEOUT);
        if (g.keepAlive() != null) {
            assertThat(g.keepAlive().content()).isNotEmpty();
            assertThat(g.keepAlive().content().length).isLessThanOrEqualTo(data.length);
        }
        if (g.response() != null) {
            assertThat(g.response().body().length).isLessThanOrEqualTo(data.length);
        }
    }

    /** Pushpin's {@code value; key=val; key="quoted"} lists, as every {@code Grip-*} header uses them. */
    @FuzzTest(maxDuration = "5m")
    void headerParams(byte[] data) {
        String value = new String(data, StandardCharsets.ISO_8859_1);
        for (String element : HeaderParams.split(value)) {
            try {
                HeaderParams.Element e = HeaderParams.parseElement(element);
                assertThat(e.value()).isNotNull();
                HeaderParams.parseParams(element, false);
            } catch (HeaderParams.SyntaxException e) {
                assertThat(e.getMessage()).isNotBlank();
            }
        }
    }

    private static int parseStatus(String line) {
        String digits = line.strip();
        return digits.matches("[0-9]{1,4}") ? Integer.parseInt(digits) : 200;
    }
}
