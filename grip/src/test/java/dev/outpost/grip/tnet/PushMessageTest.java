package dev.outpost.grip.tnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.grip.publish.PublishAction;
import dev.outpost.grip.publish.PublishItem;
import dev.outpost.grip.publish.WsMessageType;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Messages of Pushpin's PULL and SUB inputs, as its publishers send them. */
class PushMessageTest {
    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** What {@code pushpin-publish --spec tcp://... test hello} sends: a bare tnetstring map. */
    static Map<String, Object> publishItem() {
        Map<String, Object> hr = new LinkedHashMap<>();
        hr.put("code", 200L);
        hr.put("body", b("hello\n"));
        Map<String, Object> formats = new LinkedHashMap<>();
        formats.put("http-stream", Map.of("content", b("hello\n")));
        formats.put("ws-message", Map.of("content", b("hello")));
        formats.put("http-response", hr);
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("channel", b("test"));
        item.put("id", b("1"));
        item.put("formats", formats);
        item.put("meta", Map.of("sender", b("me")));
        return item;
    }

    @Test
    void bareTnetstringAsPushpinPublishSendsIt() throws Exception {
        PublishItem item = PushMessage.item(TnetString.write(publishItem()), null);
        assertThat(item.channel()).isEqualTo("test");
        assertThat(item.id()).isEqualTo("1");
        assertThat(item.meta()).containsEntry("sender", "me");
        assertThat(item.httpStream().content()).isEqualTo(b("hello\n"));
        assertThat(item.httpResponse().code()).isEqualTo(200);
        assertThat(item.httpResponse().body()).isEqualTo(b("hello\n"));
        assertThat(item.wsMessage().type()).isEqualTo(WsMessageType.TEXT);
    }

    @Test
    void prefixedTnetstringAndJson() throws Exception {
        byte[] t = TnetString.write(publishItem());
        byte[] tp = new byte[t.length + 1];
        tp[0] = 'T';
        System.arraycopy(t, 0, tp, 1, t.length);
        assertThat(PushMessage.item(tp, null).channel()).isEqualTo("test");
        PublishItem j = PushMessage.item(
                b("J{\"channel\":\"c\",\"formats\":{\"http-stream\":{\"content\":\"x\"}},\"no-seq\":true}"), null);
        assertThat(j.channel()).isEqualTo("c");
        assertThat(j.noSeq()).isTrue();
    }

    @Test
    void subInputTakesTheChannelFromItsFirstFrame() throws Exception {
        Map<String, Object> item = new LinkedHashMap<>(publishItem());
        item.remove("channel");
        assertThat(PushMessage.item(TnetString.write(item), "room").channel()).isEqualTo("room");
        assertThat(PushMessage.item(TnetString.write(publishItem()), "room").channel())
                .isEqualTo("room");
    }

    @Test
    void binaryBodiesStayBytes() throws Exception {
        byte[] bin = {(byte) 0xff, (byte) 0xfe, 0};
        Map<String, Object> item = Map.of(
                "channel", b("c"),
                "formats",
                        Map.of(
                                "http-stream", Map.of("content", bin),
                                "http-response", Map.of("body", bin),
                                "ws-message", Map.of("content", bin)));
        PublishItem p = PushMessage.item(TnetString.write(item), null);
        assertThat(p.httpStream().content()).isEqualTo(bin);
        assertThat(p.httpResponse().body()).isEqualTo(bin);
        assertThat(p.wsMessage().content()).isEqualTo(bin);
        // a tnetstring 'content' is a text message whatever its bytes, as in Pushpin
        assertThat(p.wsMessage().type()).isEqualTo(WsMessageType.TEXT);
        // and 'content-bin' is raw bytes there, not Base64
        PublishItem raw = PushMessage.item(
                TnetString.write(Map.of("channel", "c", "formats", Map.of("ws-message", Map.of("content-bin", bin)))),
                null);
        assertThat(raw.wsMessage().content()).isEqualTo(bin);
        assertThat(raw.wsMessage().type()).isEqualTo(WsMessageType.BINARY);
    }

    @Test
    void actionsAndPatches() throws Exception {
        PublishItem close = PushMessage.item(
                TnetString.write(Map.of("channel", "c", "formats", Map.of("http-stream", Map.of("action", "close")))),
                null);
        assertThat(close.httpStream().action()).isEqualTo(PublishAction.CLOSE);
        PublishItem patch = PushMessage.item(
                TnetString.write(Map.of(
                        "channel",
                        "c",
                        "formats",
                        Map.of(
                                "http-response",
                                Map.of("body-patch", List.of(Map.of("op", "add", "path", "/a", "value", 1L)))))),
                null);
        var op = patch.httpResponse().bodyPatch().get(0);
        assertThat(op.get("op").asText()).isEqualTo("add");
        assertThat(op.get("path").asText()).isEqualTo("/a");
        assertThat(op.get("value").asLong()).isEqualTo(1);
    }

    @Test
    void refusalsSayWhy() {
        assertThatThrownBy(() -> PushMessage.item(b("J{not json"), null)).hasMessageContaining("json parse failed");
        assertThatThrownBy(() -> PushMessage.item(b("J[1]"), null)).hasMessageContaining("not a valid json object");
        assertThatThrownBy(() -> PushMessage.item(b("garbage"), null)).hasMessageContaining("tnetstring parse failed");
        assertThatThrownBy(() -> PushMessage.item(b("1:a,"), null)).hasMessageContaining("not an object");
        assertThatThrownBy(() -> PushMessage.item(TnetString.write(Map.of("formats", Map.of())), null))
                .hasMessageContaining("'channel'");
        assertThatThrownBy(() -> PushMessage.item(TnetString.write(Map.of("channel", "c")), null))
                .hasMessageContaining("no formats");
    }
}
