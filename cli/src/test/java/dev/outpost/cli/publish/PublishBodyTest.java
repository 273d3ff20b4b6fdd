package dev.outpost.cli.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.outpost.cli.publish.PublishBody.Action;
import dev.outpost.cli.publish.PublishBody.Format;
import dev.outpost.cli.publish.PublishBody.Item;
import dev.outpost.grip.publish.PublishParser;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PublishBodyTest {
    static final ObjectMapper JSON = new ObjectMapper();

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static Item send(Set<Format> formats, String http, String ws) {
        return new Item("ch", null, null, Map.of(), false, Action.SEND, formats, 200, List.of(), b(http), b(ws), null);
    }

    static JsonNode item(Item i) throws Exception {
        byte[] body = PublishBody.toJson(i);
        PublishParser.parse(body); // the proxy accepts what is sent
        return JSON.readTree(body).get("items").get(0);
    }

    @Test
    void defaultSendGoesToAllThree() throws Exception {
        JsonNode n = item(send(Set.of(), "hi\n", "hi"));
        assertThat(n).isEqualTo(JSON.readTree("""
                {"channel":"ch","formats":{
                  "http-response":{"code":200,"body":"hi\\n"},
                  "http-stream":{"content":"hi\\n"},
                  "ws-message":{"content":"hi"}}}"""));
    }

    @Test
    void sseFramesTheWebSocketContent() throws Exception {
        JsonNode n = item(send(EnumSet.of(Format.SSE), "a\nb\n", "a\nb"));
        assertThat(n.get("formats")).isEqualTo(JSON.readTree("""
                {"http-stream":{"content":"data: a\\ndata: b\\n\\n"}}"""));
    }

    @Test
    void sseEventLines() {
        assertThat(new String(PublishBody.sseEvent(b("hello")), StandardCharsets.UTF_8))
                .isEqualTo("data: hello\n\n");
        assertThat(new String(PublishBody.sseEvent(b("a\r\nb\rc\n")), StandardCharsets.UTF_8))
                .isEqualTo("data: a\ndata: b\ndata: c\n\n");
        assertThat(new String(PublishBody.sseEvent(b("a\n\nb")), StandardCharsets.UTF_8))
                .isEqualTo("data: a\ndata: \ndata: b\n\n");
        assertThat(new String(PublishBody.sseEvent(b("")), StandardCharsets.UTF_8))
                .isEqualTo("data: \n\n");
    }

    @Test
    void binaryContentGoesAsBin() throws Exception {
        byte[] bin = {(byte) 0xff, 0, 1};
        Item i = new Item("ch", null, null, Map.of(), false, Action.SEND, Set.of(), 200, List.of(), bin, bin, null);
        JsonNode f = item(i).get("formats");
        assertThat(f.get("http-response").get("body-bin").asText()).isEqualTo("/wAB");
        assertThat(f.get("http-stream").get("content-bin").asText()).isEqualTo("/wAB");
        assertThat(f.get("ws-message").get("content-bin").asText()).isEqualTo("/wAB");
    }

    @Test
    void hintAndCloseDefaults() throws Exception {
        Item hint =
                new Item("ch", null, null, Map.of(), false, Action.HINT, Set.of(), 200, List.of(), null, null, null);
        assertThat(item(hint).get("formats")).isEqualTo(JSON.readTree("""
                {"http-response":{"action":"hint"},"http-stream":{"action":"hint"},"ws-message":{"action":"hint"}}"""));
        Item close =
                new Item("ch", null, null, Map.of(), false, Action.CLOSE, Set.of(), 200, List.of(), null, null, null);
        assertThat(item(close).get("formats")).isEqualTo(JSON.readTree("""
                {"http-stream":{"action":"close"},"ws-message":{"action":"close"}}"""));
        Item closeSse = new Item(
                "ch", null, null, Map.of(), false, Action.CLOSE, Set.of(Format.SSE), 200, List.of(), null, null, null);
        assertThat(item(closeSse).get("formats")).isEqualTo(JSON.readTree("""
                {"http-stream":{"action":"close"}}"""));
    }

    @Test
    void contradictionsAreRefused() {
        Item sseAndStream = send(EnumSet.of(Format.SSE, Format.HTTP_STREAM), "x", "x");
        assertThatThrownBy(() -> PublishBody.effectiveFormats(sseAndStream))
                .hasMessageContaining("sse and http-stream");
        Item closeResponse = new Item(
                "ch",
                null,
                null,
                Map.of(),
                false,
                Action.CLOSE,
                Set.of(Format.HTTP_RESPONSE),
                200,
                List.of(),
                null,
                null,
                null);
        assertThatThrownBy(() -> PublishBody.effectiveFormats(closeResponse)).hasMessageContaining("--close");
        Item patchStream = new Item(
                "ch",
                null,
                null,
                Map.of(),
                false,
                Action.SEND,
                Set.of(Format.HTTP_STREAM),
                200,
                List.of(),
                null,
                null,
                PublishBody.parsePatch(b("[]")));
        assertThatThrownBy(() -> PublishBody.effectiveFormats(patchStream)).hasMessageContaining("--patch");
    }

    @Test
    void formatNames() {
        assertThat(Format.parse("HTTP-Response")).isEqualTo(Format.HTTP_RESPONSE);
        assertThat(Format.parse(" sse ")).isEqualTo(Format.SSE);
        assertThatThrownBy(() -> Format.parse("xml"))
                .hasMessage("--format 'xml' (expected: http-response, http-stream, ws-message or sse)");
    }

    @Test
    void headers() {
        assertThat(PublishBody.parseHeader("X-A:  b c ")).isEqualTo(Map.entry("X-A", "b c"));
        assertThat(PublishBody.parseHeader("X-A:")).isEqualTo(Map.entry("X-A", ""));
        assertThat(PublishBody.parseHeader("Link: <http://x>; rel=next"))
                .isEqualTo(Map.entry("Link", "<http://x>; rel=next"));
        assertThatThrownBy(() -> PublishBody.parseHeader("nocolon"))
                .hasMessage("-H 'nocolon' (expected: \"NAME: VALUE\" with a header name)");
        assertThatThrownBy(() -> PublishBody.parseHeader(": v")).hasMessageContaining("-H ': v'");
        assertThatThrownBy(() -> PublishBody.parseHeader("a b: v")).hasMessageContaining("-H 'a b: v'");
    }

    @Test
    void meta() {
        assertThat(PublishBody.parseMeta("user = bob")).isEqualTo(Map.entry("user", "bob"));
        assertThat(PublishBody.parseMeta("expr=a=b")).isEqualTo(Map.entry("expr", "a=b"));
        assertThatThrownBy(() -> PublishBody.parseMeta("novalue"))
                .hasMessage("-M 'novalue' (expected: \"NAME=VALUE\")");
        assertThatThrownBy(() -> PublishBody.parseMeta("=v")).hasMessageContaining("-M '=v'");
    }

    @Test
    void patches() {
        assertThat(PublishBody.parsePatch(b("[{\"op\":\"add\",\"path\":\"/a\",\"value\":1}]"))
                        .size())
                .isEqualTo(1);
        assertThatThrownBy(() -> PublishBody.parsePatch(b("{\"op\":\"add\"}")))
                .hasMessage("--patch: content is a JSON object (expected: a JSON array of patch operations)");
        assertThatThrownBy(() -> PublishBody.parsePatch(b("[1]")))
                .hasMessage("--patch: operation #1 1 (expected: an object with string \"op\" and \"path\")");
        assertThatThrownBy(() -> PublishBody.parsePatch(b("["))).hasMessageStartingWith("--patch: content is not JSON");
        assertThatThrownBy(() -> PublishBody.parsePatch(b(""))).hasMessageStartingWith("--patch: content is empty");
    }
}
