package dev.outpost.grip.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import dev.outpost.grip.internal.GripJson;
import dev.outpost.grip.publish.JsonPatch;
import dev.outpost.grip.publish.PublishFormatException;
import dev.outpost.grip.publish.PublishItem;
import dev.outpost.grip.publish.PublishParser;
import dev.outpost.grip.publish.PublishWriter;
import java.io.IOException;
import java.util.List;

/**
 * The publish body ({@code POST /publish/}) and the {@code body-patch} it may carry: any bytes give items or a
 * {@link PublishFormatException} with the text the publish endpoint answers, never another exception.
 */
class PublishFuzzTest {

    @FuzzTest(maxDuration = "5m")
    void publishBody(byte[] body) {
        List<PublishItem> items;
        try {
            items = PublishParser.parse(body);
        } catch (PublishFormatException e) {
            assertThat(e.getMessage()).matches("(?s)(Body is not valid JSON\\.|Invalid format.+)");
            return;
        }
        // every content byte comes from the body (Base64 and JSON escapes only shrink)
        assertThat(contentBytes(items)).isLessThanOrEqualTo(body.length);
        // the writer is the parser's inverse, for the items it can write: those with a format Outpost delivers (an
        // item with only other formats, e.g. for push notifications, is accepted and delivers nothing)
        items = items.stream()
                .filter(i -> i.httpResponse() != null || i.httpStream() != null || i.wsMessage() != null)
                .toList();
        byte[] again = PublishWriter.write(items);
        try {
            assertThat(PublishParser.parse(again)).isEqualTo(items);
        } catch (PublishFormatException e) {
            throw new AssertionError("the writer's own output does not parse: " + e.getMessage(), e);
        }
    }

    /** {@code body-patch} applied to a held body: the input is the held body, a NUL, then the patch (JSON). */
    @FuzzTest(maxDuration = "5m")
    void bodyPatch(byte[] data) {
        byte[][] parts = Inputs.splitAtNul(data);
        JsonNode patch;
        try {
            patch = GripJson.MAPPER.readTree(parts[1]);
        } catch (IOException e) {
            return; // the publish parser rejects such a patch before it is ever applied
        }
        try {
            byte[] out = JsonPatch.apply(parts[0], patch);
            // what a patch inserts is bounded, whatever it copies (escaping at most sextuples a character)
            assertThat((long) out.length).isLessThanOrEqualTo(6L * (data.length + JsonPatch.MAX_INSERTED));
        } catch (JsonPatch.PatchException e) {
            assertThat(e.getMessage()).startsWith("body-patch");
        }
    }

    private static long contentBytes(List<PublishItem> items) {
        long n = 0;
        for (PublishItem i : items) {
            if (i.httpResponse() != null && i.httpResponse().body() != null) {
                n += i.httpResponse().body().length;
            }
            if (i.httpStream() != null && i.httpStream().content() != null) {
                n += i.httpStream().content().length;
            }
            if (i.wsMessage() != null && i.wsMessage().content() != null) {
                n += i.wsMessage().content().length;
            }
        }
        return n;
    }
}
