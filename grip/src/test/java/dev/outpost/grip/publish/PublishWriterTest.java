package dev.outpost.grip.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The writer is the parser's inverse: what it writes parses back into the same items. */
class PublishWriterTest {
    static final ObjectMapper JSON = new ObjectMapper();

    static List<PublishItem> roundTrip(PublishItem... items) throws Exception {
        return PublishParser.parse(PublishWriter.write(List.of(items)));
    }

    @Test
    void everyFieldOfEveryFormatRoundTrips() throws Exception {
        PublishItem all = PublishItem.builder("news")
                .id("2")
                .prevId("1")
                .meta("sender", "alice")
                .meta("region", "eu")
                .noSeq(true)
                .httpResponse(HttpResponseFormat.of(
                        404, List.of(Map.entry("X-A", "1"), Map.entry("X-A", "2")), "gone\n".getBytes(UTF8)))
                .httpStream("hello\n")
                .wsMessage("hi")
                .build();
        assertThat(roundTrip(all)).containsExactly(all);
    }

    static final Charset UTF8 = StandardCharsets.UTF_8;

    @Test
    void actionsRoundTrip() throws Exception {
        PublishItem close = PublishItem.builder("c").close().build();
        PublishItem hint = PublishItem.builder("h").hint().build();
        PublishItem refresh = PublishItem.builder("r").refresh().build();
        PublishItem wsClose = PublishItem.builder("w")
                .wsMessage(WsMessageFormat.close(4001, "bye"))
                .build();
        assertThat(roundTrip(close, hint, refresh, wsClose)).containsExactly(close, hint, refresh, wsClose);
        assertThat(JSON.readTree(PublishWriter.write(List.of(close))).at("/items/0/formats"))
                .isEqualTo(JSON.readTree(
                        "{\"http-stream\":{\"action\":\"close\"},\"ws-message\":{\"action\":\"close\"}}"));
    }

    @Test
    void bytesThatAreNotUtf8GoAsBase64AndBinaryFramesStayBinary() throws Exception {
        byte[] bin = {(byte) 0xff, 0, 1};
        PublishItem item = PublishItem.builder("b")
                .httpResponse(HttpResponseFormat.of(200, List.of(), bin))
                .httpStream(HttpStreamFormat.of(bin))
                .wsMessage(WsMessageFormat.binary("text bytes".getBytes(UTF8)))
                .build();
        assertThat(roundTrip(item)).containsExactly(item);
        var formats = JSON.readTree(PublishWriter.write(List.of(item))).at("/items/0/formats");
        assertThat(formats.at("/http-stream/content-bin").asText()).isEqualTo("/wAB");
        assertThat(formats.at("/ws-message/content-bin").asText()).isNotEmpty();
        PublishItem oddText = PublishItem.builder("t")
                .wsMessage(new WsMessageFormat(PublishAction.SEND, WsMessageType.TEXT, bin, -1, "", List.of()))
                .build();
        assertThat(roundTrip(oddText)).containsExactly(oddText);
    }

    @Test
    void patchAndPingRoundTrip() throws Exception {
        PublishItem patch = PublishItem.builder("p")
                .httpResponse(
                        HttpResponseFormat.patch(JSON.readTree("[{\"op\":\"replace\",\"path\":\"/n\",\"value\":2}]")))
                .wsMessage(new WsMessageFormat(PublishAction.SEND, WsMessageType.PING, new byte[] {1}, -1, "", null))
                .build();
        assertThat(roundTrip(patch)).containsExactly(patch);
    }

    @Test
    void anItemNeedsAFormat() {
        assertThatThrownBy(() -> PublishItem.builder("x").build()).hasMessageContaining("no format");
        assertThatThrownBy(() -> PublishItem.builder("")).hasMessageContaining("channel: empty");
    }
}
