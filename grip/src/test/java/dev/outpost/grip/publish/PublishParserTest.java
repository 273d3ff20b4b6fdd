package dev.outpost.grip.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PublishParserTest {

    private static PublishItem one(String itemJson) throws PublishFormatException {
        List<PublishItem> items = PublishParser.parse(b("{\"items\": [" + itemJson + "]}"));
        assertThat(items).hasSize(1);
        return items.get(0);
    }

    @Test
    void fullItem() throws Exception {
        PublishItem i = one("""
                {"channel": "c", "id": "2", "prev-id": "1", "meta": {"sender": "bob"}, "no-seq": true, "size": 10,
                 "formats": {
                   "http-response": {"code": 404, "headers": {"X-A": "1"}, "body": "nf\\n"},
                   "http-stream": {"content": "data: x\\n\\n"},
                   "ws-message": {"content": "hi"}}}""");
        assertThat(i)
                .isEqualTo(new PublishItem(
                        "c",
                        "2",
                        "1",
                        Map.of("sender", "bob"),
                        new HttpResponseFormat(
                                PublishAction.SEND,
                                404,
                                "Not Found",
                                List.of(Map.entry("X-A", "1")),
                                b("nf\n"),
                                null,
                                List.of()),
                        new HttpStreamFormat(PublishAction.SEND, b("data: x\n\n"), List.of()),
                        new WsMessageFormat(PublishAction.SEND, WsMessageType.TEXT, b("hi"), -1, "", List.of()),
                        true));
    }

    @Test
    void minimalDefaults() throws Exception {
        PublishItem i = one("{\"channel\": \"c\", \"formats\": {\"http-stream\": {\"content\": \"x\"}}}");
        assertThat(i.id()).isNull();
        assertThat(i.prevId()).isNull();
        assertThat(i.meta()).isEmpty();
        assertThat(i.noSeq()).isFalse();
        assertThat(i.httpResponse()).isNull();
        assertThat(i.wsMessage()).isNull();
    }

    @Test
    void legacyFormatKeysOnItem() throws Exception {
        PublishItem i = one(
                "{\"channel\": \"c\", \"http-stream\": {\"content\": \"x\"}, \"ws-message\": {\"content-bin\": \"AAE=\"}}");
        assertThat(i.httpStream()).isEqualTo(new HttpStreamFormat(PublishAction.SEND, b("x"), List.of()));
        assertThat(i.wsMessage())
                .isEqualTo(new WsMessageFormat(
                        PublishAction.SEND, WsMessageType.BINARY, new byte[] {0, 1}, -1, "", List.of()));
    }

    @Test
    void formatsObjectWinsOverLegacyKeys() throws Exception {
        PublishItem i = one(
                "{\"channel\": \"c\", \"http-stream\": {\"content\": \"legacy\"}, \"formats\": {\"ws-message\": {\"content\": \"x\"}}}");
        assertThat(i.httpStream()).isNull();
        assertThat(i.wsMessage()).isNotNull();
    }

    @Test
    void httpResponseVariants() throws Exception {
        assertThat(
                        one("{\"channel\": \"c\", \"formats\": {\"http-response\": {\"reason\": \"Fine\", \"headers\": [[\"A\", \"1\"], [\"A\", \"2\"]], \"body-bin\": \"aGk=\", \"content-filters\": [\"build-id\"]}}}")
                                .httpResponse())
                .isEqualTo(new HttpResponseFormat(
                        PublishAction.SEND,
                        200,
                        "Fine",
                        List.of(Map.entry("A", "1"), Map.entry("A", "2")),
                        b("hi"),
                        null,
                        List.of("build-id")));
        assertThat(one("{\"channel\": \"c\", \"formats\": {\"http-response\": {\"code\": \"201\", \"body\": \"\"}}}")
                        .httpResponse()
                        .code())
                .isEqualTo(201);
        assertThat(one("{\"channel\": \"c\", \"formats\": {\"http-response\": {\"action\": \"hint\"}}}")
                        .httpResponse())
                .isEqualTo(new HttpResponseFormat(PublishAction.HINT, 200, "OK", List.of(), null, null, List.of()));
    }

    @Test
    void httpResponseBodyPatch() throws Exception {
        HttpResponseFormat f =
                one("{\"channel\": \"c\", \"formats\": {\"http-response\": {\"body-patch\": [{\"op\": \"replace\", \"path\": \"/a\", \"value\": 1}]}}}")
                        .httpResponse();
        assertThat(f.body()).isNull();
        assertThat(f.bodyPatch())
                .isEqualTo(new ObjectMapper().readTree("[{\"op\": \"replace\", \"path\": \"/a\", \"value\": 1}]"));
    }

    @Test
    void httpStreamActions() throws Exception {
        assertThat(one("{\"channel\": \"c\", \"formats\": {\"http-stream\": {\"action\": \"close\"}}}")
                        .httpStream())
                .isEqualTo(new HttpStreamFormat(PublishAction.CLOSE, null, List.of()));
        assertThat(one("{\"channel\": \"c\", \"formats\": {\"http-stream\": {\"action\": \"hint\"}}}")
                        .httpStream())
                .isEqualTo(new HttpStreamFormat(PublishAction.HINT, null, List.of()));
        assertThat(
                        one("{\"channel\": \"c\", \"formats\": {\"http-stream\": {\"action\": \"send\", \"content-bin\": \"eA==\", \"content-filters\": [\"var-subst\"]}}}")
                                .httpStream())
                .isEqualTo(new HttpStreamFormat(PublishAction.SEND, b("x"), List.of("var-subst")));
    }

    @Test
    void wsMessageVariants() throws Exception {
        assertThat(
                        one("{\"channel\": \"c\", \"formats\": {\"ws-message\": {\"action\": \"close\", \"code\": 4000, \"reason\": \"bye\"}}}")
                                .wsMessage())
                .isEqualTo(new WsMessageFormat(
                        PublishAction.CLOSE, WsMessageType.TEXT, new byte[0], 4000, "bye", List.of()));
        assertThat(one("{\"channel\": \"c\", \"formats\": {\"ws-message\": {\"action\": \"close\"}}}")
                        .wsMessage())
                .isEqualTo(
                        new WsMessageFormat(PublishAction.CLOSE, WsMessageType.TEXT, new byte[0], -1, "", List.of()));
        assertThat(one("{\"channel\": \"c\", \"formats\": {\"ws-message\": {\"action\": \"refresh\"}}}")
                        .wsMessage()
                        .action())
                .isEqualTo(PublishAction.REFRESH);
        assertThat(one("{\"channel\": \"c\", \"formats\": {\"ws-message\": {\"type\": \"ping\"}}}")
                        .wsMessage())
                .isEqualTo(new WsMessageFormat(PublishAction.SEND, WsMessageType.PING, new byte[0], -1, "", List.of()));
        assertThat(
                        one("{\"channel\": \"c\", \"formats\": {\"ws-message\": {\"type\": \"binary\", \"content\": \"t\"}}}")
                                .wsMessage()
                                .type())
                .isEqualTo(WsMessageType.BINARY);
        assertThat(
                        one("{\"channel\": \"c\", \"formats\": {\"ws-message\": {\"type\": \"pong\", \"content-bin\": \"eA==\"}}}")
                                .wsMessage())
                .isEqualTo(new WsMessageFormat(PublishAction.SEND, WsMessageType.PONG, b("x"), -1, "", List.of()));
    }

    @Test
    void nullMeansAbsent() throws Exception {
        PublishItem i = one(
                "{\"channel\": \"c\", \"id\": null, \"meta\": null, \"formats\": {\"http-stream\": {\"content\": \"x\", \"action\": null}, \"ws-message\": null}}");
        assertThat(i.id()).isNull();
        assertThat(i.wsMessage()).isNull();
        assertThat(i.httpStream().action()).isEqualTo(PublishAction.SEND);
    }

    @Test
    void unknownFormatOnlyIsAcceptedLikePushpin() throws Exception {
        PublishItem i = one("{\"channel\": \"c\", \"formats\": {\"fcm\": {}}}");
        assertThat(i.httpResponse()).isNull();
        assertThat(i.httpStream()).isNull();
        assertThat(i.wsMessage()).isNull();
    }

    @Test
    void manyItemsInOrder() throws Exception {
        List<PublishItem> items = PublishParser.parse(
                b(
                        "{\"items\": [{\"channel\": \"a\", \"http-stream\": {\"content\": \"1\"}}, {\"channel\": \"b\", \"http-stream\": {\"content\": \"2\"}}]}"));
        assertThat(items).extracting(PublishItem::channel).containsExactly("a", "b");
        assertThat(PublishParser.parse(b("{\"items\": []}"))).isEmpty();
    }

    record Bad(String body, String message) {
        @Override
        public String toString() {
            return body;
        }
    }

    private static Bad item(String itemJson, String message) {
        return new Bad(
                "{\"items\": [{\"channel\": \"ok\", \"http-stream\": {\"content\": \"x\"}}, " + itemJson + "]}",
                message);
    }

    private static Bad format(String name, String formatJson, String message) {
        return item("{\"channel\": \"c\", \"formats\": {\"" + name + "\": " + formatJson + "}}", message);
    }

    static Stream<Bad> bad() {
        String hr = "http-response";
        String hs = "http-stream";
        String ws = "ws-message";
        return Stream.of(
                new Bad("", "Body is not valid JSON."),
                new Bad("{", "Body is not valid JSON."),
                new Bad("{\"items\": []} x", "Body is not valid JSON."),
                new Bad("\u00ff\u00fe", "Body is not valid JSON."),
                new Bad("[]", "Invalid format. Body is [] (expected: an object with 'items')"),
                new Bad("\"items\"", "Invalid format. Body is \"items\" (expected: an object with 'items')"),
                new Bad("{}", "Invalid format: object does not contain 'items' (expected: {\"items\": [...]})"),
                new Bad(
                        "{\"items\": {}}",
                        "Invalid format: object contains 'items' with wrong type (items: an object, expected: array)"),
                new Bad(
                        "{\"items\": null}",
                        "Invalid format: object contains 'items' with wrong type (items: null, expected: array)"),
                item("3", "Invalid format: publish item object is not an object (items[1]: 3, expected: object)"),
                item(
                        "{}",
                        "Invalid format: publish item object does not contain 'channel' (items[1].channel: missing)"),
                item(
                        "{\"channel\": 5}",
                        "Invalid format: publish item object contains 'channel' with wrong type (items[1].channel: 5, expected: string)"),
                item(
                        "{\"channel\": \"c\", \"id\": 1, \"http-stream\": {\"content\": \"x\"}}",
                        "Invalid format: publish item object contains 'id' with wrong type (items[1].id: 1, expected: string)"),
                item(
                        "{\"channel\": \"c\", \"prev-id\": [], \"http-stream\": {\"content\": \"x\"}}",
                        "Invalid format: publish item object contains 'prev-id' with wrong type (items[1].prev-id: [], expected: string)"),
                item(
                        "{\"channel\": \"c\"}",
                        "Invalid format: no formats specified (items[1]: expected 'formats' with http-response, http-stream or ws-message)"),
                item(
                        "{\"channel\": \"c\", \"formats\": {}}",
                        "Invalid format: no formats specified (items[1].formats: expected http-response, http-stream or ws-message)"),
                item(
                        "{\"channel\": \"c\", \"formats\": \"http-stream\"}",
                        "Invalid format: publish item object contains 'formats' with wrong type (items[1].formats: \"http-stream\", expected: object)"),
                item(
                        "{\"channel\": \"c\", \"http-stream\": {\"content\": \"x\"}, \"meta\": []}",
                        "Invalid format: publish item object contains 'meta' with wrong type (items[1].meta: [], expected: object of strings)"),
                item(
                        "{\"channel\": \"c\", \"http-stream\": {\"content\": \"x\"}, \"meta\": {\"sender\": 1}}",
                        "Invalid format: 'meta' contains 'sender' with wrong type (items[1].meta.sender: 1, expected: string)"),
                item(
                        "{\"channel\": \"c\", \"http-stream\": {\"content\": \"x\"}, \"size\": \"big\"}",
                        "Invalid format: publish item object contains 'size' with wrong type (items[1].size: \"big\", expected: integer >= 0)"),
                item(
                        "{\"channel\": \"c\", \"http-stream\": {\"content\": \"x\"}, \"size\": -1}",
                        "Invalid format: publish item object contains 'size' with invalid value (items[1].size: -1, expected: integer >= 0)"),
                item(
                        "{\"channel\": \"c\", \"http-stream\": {\"content\": \"x\"}, \"no-seq\": \"yes\"}",
                        "Invalid format: publish item object contains 'no-seq' with wrong type (items[1].no-seq: \"yes\", expected: true or false)"),
                item(
                        "{\"channel\": \"c\", \"http-stream\": 1}",
                        "Invalid format: 'http-stream' is not an object (items[1].http-stream: 1, expected: object)"),
                format(
                        hr,
                        "[]",
                        "Invalid format: 'http-response' is not an object (items[1].formats.http-response: [], expected: object)"),
                format(
                        hr,
                        "{\"action\": \"drop\"}",
                        "Invalid format: 'http-response' contains 'action' with invalid value (items[1].formats.http-response.action: \"drop\", expected: send, hint, close or refresh)"),
                format(
                        hr,
                        "{\"action\": 1}",
                        "Invalid format: 'http-response' contains 'action' with wrong type (items[1].formats.http-response.action: 1, expected: string)"),
                format(
                        hr,
                        "{\"code\": true, \"body\": \"\"}",
                        "Invalid format: 'http-response' contains 'code' with wrong type (items[1].formats.http-response.code: true, expected: integer 0-999)"),
                format(
                        hr,
                        "{\"code\": 1.5, \"body\": \"\"}",
                        "Invalid format: 'http-response' contains 'code' with wrong type (items[1].formats.http-response.code: 1.5, expected: integer 0-999)"),
                format(
                        hr,
                        "{\"code\": 1000, \"body\": \"\"}",
                        "Invalid format: 'http-response' contains 'code' with invalid value (items[1].formats.http-response.code: 1000, expected: integer 0-999)"),
                format(
                        hr,
                        "{\"code\": -1, \"body\": \"\"}",
                        "Invalid format: 'http-response' contains 'code' with invalid value (items[1].formats.http-response.code: -1, expected: integer 0-999)"),
                format(
                        hr,
                        "{\"reason\": 1, \"body\": \"\"}",
                        "Invalid format: 'http-response' contains 'reason' with wrong type (items[1].formats.http-response.reason: 1, expected: string)"),
                format(
                        hr,
                        "{\"headers\": \"X: 1\", \"body\": \"\"}",
                        "Invalid format: 'http-response' contains 'headers' with wrong type (items[1].formats.http-response.headers: \"X: 1\", expected: object of strings or array of [name, value])"),
                format(
                        hr,
                        "{\"headers\": [\"X\"], \"body\": \"\"}",
                        "Invalid format: headers contains element with wrong type (items[1].formats.http-response.headers[0]: \"X\", expected: [name, value])"),
                format(
                        hr,
                        "{\"headers\": [[\"X\"]], \"body\": \"\"}",
                        "Invalid format: headers contains list with wrong number of elements (items[1].formats.http-response.headers[0]: [\"X\"], expected: [name, value])"),
                format(
                        hr,
                        "{\"headers\": [[1, \"v\"]], \"body\": \"\"}",
                        "Invalid format: header contains name element with wrong type (items[1].formats.http-response.headers[0][0]: 1, expected: string)"),
                format(
                        hr,
                        "{\"headers\": [[\"X\", 2]], \"body\": \"\"}",
                        "Invalid format: header contains value element with wrong type (items[1].formats.http-response.headers[0][1]: 2, expected: string)"),
                format(
                        hr,
                        "{\"headers\": {\"X\": 2}, \"body\": \"\"}",
                        "Invalid format: headers contains 'X' with wrong type (items[1].formats.http-response.headers.X: 2, expected: string)"),
                format(
                        hr,
                        "{\"content-filters\": \"build-id\", \"body\": \"\"}",
                        "Invalid format: 'http-response' contains 'content-filters' with wrong type (items[1].formats.http-response.content-filters: \"build-id\", expected: array of strings)"),
                format(
                        hr,
                        "{\"content-filters\": [1], \"body\": \"\"}",
                        "Invalid format: content-filters contains element with wrong type (items[1].formats.http-response.content-filters[0]: 1, expected: string)"),
                format(
                        hr,
                        "{}",
                        "Invalid format: 'http-response' does not contain 'body', 'body-bin', or 'body-patch' (items[1].formats.http-response)"),
                format(
                        hr,
                        "{\"body\": 1}",
                        "Invalid format: 'http-response' contains 'body' with wrong type (items[1].formats.http-response.body: 1, expected: string)"),
                format(
                        hr,
                        "{\"body-bin\": 1}",
                        "Invalid format: 'http-response' contains 'body-bin' with wrong type (items[1].formats.http-response.body-bin: 1, expected: string)"),
                format(
                        hr,
                        "{\"body-bin\": \"@@@\"}",
                        "Invalid format: 'http-response' contains 'body-bin' with invalid value (items[1].formats.http-response.body-bin: \"@@@\", expected: Base64)"),
                format(
                        hr,
                        "{\"body-patch\": {}}",
                        "Invalid format: 'http-response' contains 'body-patch' with wrong type (items[1].formats.http-response.body-patch: an object, expected: array of JSON Patch operations)"),
                format(
                        hr,
                        "{\"body-patch\": [{\"op\": \"add\"}]}",
                        "Invalid format: 'http-response' contains 'body-patch' with invalid value (items[1].formats.http-response.body-patch[0]: an object, expected: object with string 'op' and 'path')"),
                format(
                        hs,
                        "{}",
                        "Invalid format: 'http-stream' does not contain 'content' or 'content-bin' (items[1].formats.http-stream)"),
                format(
                        hs,
                        "{\"content\": {}}",
                        "Invalid format: 'http-stream' contains 'content' with wrong type (items[1].formats.http-stream.content: an object, expected: string)"),
                format(
                        hs,
                        "{\"content-bin\": \"a\"}",
                        "Invalid format: 'http-stream' contains 'content-bin' with invalid value (items[1].formats.http-stream.content-bin: \"a\", expected: Base64)"),
                format(
                        hs,
                        "{\"action\": \"later\"}",
                        "Invalid format: 'http-stream' contains 'action' with invalid value (items[1].formats.http-stream.action: \"later\", expected: send, hint, close or refresh)"),
                format(
                        ws,
                        "{}",
                        "Invalid format: 'ws-message' does not contain 'content' or 'content-bin' (items[1].formats.ws-message)"),
                format(
                        ws,
                        "{\"type\": \"binary\"}",
                        "Invalid format: 'ws-message' does not contain 'content' or 'content-bin' (items[1].formats.ws-message)"),
                format(
                        ws,
                        "{\"type\": \"close\", \"content\": \"x\"}",
                        "Invalid format: 'ws-message' contains 'type' with unknown value (items[1].formats.ws-message.type: \"close\", expected: text, binary, ping or pong)"),
                format(
                        ws,
                        "{\"content\": 1}",
                        "Invalid format: 'ws-message' contains 'content' with wrong type (items[1].formats.ws-message.content: 1, expected: string)"),
                format(
                        ws,
                        "{\"content-bin\": 1}",
                        "Invalid format: 'ws-message' contains 'content-bin' with wrong type (items[1].formats.ws-message.content-bin: 1, expected: string)"),
                format(
                        ws,
                        "{\"action\": \"close\", \"code\": \"x\"}",
                        "Invalid format: 'ws-message' contains 'code' with wrong type (items[1].formats.ws-message.code: \"x\", expected: integer, a close code a WebSocket may send: 1000-1003, 1007-1014 or 3000-4999 (RFC 6455 §7.4))"),
                format(
                        ws,
                        "{\"action\": \"close\", \"code\": 70000}",
                        "Invalid format: 'ws-message' contains 'code' with invalid value (items[1].formats.ws-message.code: 70000, expected: integer, a close code a WebSocket may send: 1000-1003, 1007-1014 or 3000-4999 (RFC 6455 §7.4))"),
                format(
                        ws,
                        "{\"action\": \"close\", \"reason\": false}",
                        "Invalid format: 'ws-message' contains 'reason' with wrong type (items[1].formats.ws-message.reason: false, expected: string)"));
    }

    @ParameterizedTest
    @MethodSource("bad")
    void rejects(Bad c) {
        assertThatThrownBy(() -> PublishParser.parse(c.body().getBytes(StandardCharsets.ISO_8859_1)))
                .isInstanceOf(PublishFormatException.class)
                .hasMessage(c.message());
    }

    @Test
    void longValuesAreCutInMessages() {
        String big = "x".repeat(100);
        assertThatThrownBy(() -> PublishParser.parse(
                        b("{\"items\": [{\"channel\": \"c\", \"http-stream\": {\"action\": \"" + big + "\"}}]}")))
                .hasMessage(
                        "Invalid format: 'http-stream' contains 'action' with invalid value (items[0].http-stream.action: \""
                                + "x".repeat(56) + "..., expected: send, hint, close or refresh)");
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Values that would break the response on the wire are refused at publish time, never dropped later (issue 16). */
    @ParameterizedTest
    @MethodSource("unsendable")
    void valuesThatCannotGoOnTheWireAreRefused(String formats, String message) {
        assertThatThrownBy(() -> one("{\"channel\": \"c\", " + formats + "}"))
                .isInstanceOf(PublishFormatException.class)
                .hasMessageStartingWith("Invalid format")
                .hasMessageContaining(message);
    }

    static Stream<Arguments> unsendable() {
        String hr = "\"formats\": {\"http-response\": {\"body\": \"x\", ";
        return Stream.of(
                Arguments.of(
                        hr + "\"headers\": {\"X-A\\r\\nX-B\": \"1\"}}}",
                        "header name is not valid (items[0].formats.http-response.headers: \"X-A\\r\\nX-B\""),
                Arguments.of(
                        hr + "\"headers\": [[\"X-A\", \"1\\r\\nSet-Cookie: a=b\"]]}}",
                        "header 'X-A' has a value that is not valid (items[0].formats.http-response.headers[0][1]:"),
                Arguments.of(hr + "\"headers\": [[\"\", \"1\"]]}}", "header name is not valid"),
                Arguments.of(
                        hr + "\"reason\": \"OK\\r\\nX: y\"}}",
                        "contains 'reason' with invalid value (items[0].formats.http-response.reason:"),
                Arguments.of(
                        "\"id\": \"1\\n2\", \"formats\": {\"http-stream\": {\"content\": \"x\"}}",
                        "contains 'id' with invalid value (items[0].id: \"1\\n2\""),
                Arguments.of(
                        "\"prev-id\": \"\\u0000\", \"formats\": {\"http-stream\": {\"content\": \"x\"}}",
                        "contains 'prev-id' with invalid value"),
                Arguments.of(
                        "\"formats\": {\"ws-message\": {\"action\": \"close\", \"code\": 999}}",
                        "contains 'code' with invalid value (items[0].formats.ws-message.code: 999, expected: integer,"
                                + " a close code a WebSocket may send"),
                Arguments.of(
                        "\"formats\": {\"ws-message\": {\"action\": \"close\", \"code\": 1005}}",
                        "contains 'code' with invalid value"),
                Arguments.of(
                        "\"formats\": {\"ws-message\": {\"action\": \"close\", \"code\": 1000, \"reason\": \""
                                + "r".repeat(124) + "\"}}",
                        "contains 'reason' with invalid value (items[0].formats.ws-message.reason:"),
                Arguments.of(
                        "\"formats\": {\"ws-message\": {\"type\": \"ping\", \"content\": \"" + "p".repeat(126) + "\"}}",
                        "contains a ping with 126 bytes of content (items[0].formats.ws-message: expected at most 125"));
    }

    @Test
    void valuesThatCanGoOnTheWireStillPass() throws Exception {
        PublishItem i = one("""
                {"channel": "c", "id": "a b", "formats": {
                  "http-response": {"reason": "Fine\\tthanks", "headers": {"X-A": "tab\\there, caf\u00e9"}, "body": "x"},
                  "ws-message": {"action": "close", "code": 4999, "reason": "%s"}}}""".formatted("r".repeat(123)));
        assertThat(i.httpResponse().headers()).containsExactly(Map.entry("X-A", "tab\there, caf\u00e9"));
        assertThat(i.httpResponse().reason()).isEqualTo("Fine\tthanks");
        assertThat(i.wsMessage().closeCode()).isEqualTo(4999);
        assertThat(one("{\"channel\": \"c\", \"formats\": {\"ws-message\": {\"type\": \"pong\", \"content\": \""
                                + "p".repeat(125) + "\"}}}")
                        .wsMessage()
                        .content())
                .hasSize(125);
    }
}
