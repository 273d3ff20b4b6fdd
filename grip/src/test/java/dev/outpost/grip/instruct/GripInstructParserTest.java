package dev.outpost.grip.instruct;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class GripInstructParserTest {

    /** One header in, one property of the instruct checked. */
    record Ok(String header, String value, Function<GripInstruct, Object> get, Object expected) {
        @Override
        public String toString() {
            return header + ": " + value;
        }
    }

    /** One header in, the exact error out. */
    record Bad(String header, String value, String message) {
        @Override
        public String toString() {
            return header + ": " + value;
        }
    }

    static Stream<Ok> ok() {
        return Stream.of(
                new Ok("Grip-Hold", "response", GripInstruct::hold, HoldMode.RESPONSE),
                new Ok("Grip-Hold", "stream", GripInstruct::hold, HoldMode.STREAM),
                new Ok("grip-hold", "stream", GripInstruct::hold, HoldMode.STREAM),
                new Ok("Grip-Channel", "a", GripInstruct::channels, List.of(new GripChannel("a"))),
                new Ok(
                        "Grip-Channel",
                        "a, b",
                        GripInstruct::channels,
                        List.of(new GripChannel("a"), new GripChannel("b"))),
                new Ok("Grip-Channel", "a,", GripInstruct::channels, List.of(new GripChannel("a"))),
                new Ok(
                        "Grip-Channel",
                        "a; prev-id=7",
                        GripInstruct::channels,
                        List.of(new GripChannel("a", "7", List.of()))),
                new Ok(
                        "Grip-Channel",
                        "a; prev-id=\"x;y,z\"",
                        GripInstruct::channels,
                        List.of(new GripChannel("a", "x;y,z", List.of()))),
                new Ok(
                        "Grip-Channel",
                        "a; prev-id=\"q\\\"q\"",
                        GripInstruct::channels,
                        List.of(new GripChannel("a", "q\"q", List.of()))),
                new Ok(
                        "Grip-Channel",
                        "a; filter=skip-self; filter=build-id, b; filter=var-subst",
                        GripInstruct::channels,
                        List.of(
                                new GripChannel("a", null, List.of("skip-self", "build-id")),
                                new GripChannel("b", null, List.of("var-subst")))),
                new Ok(
                        "Grip-Channel",
                        "a; filter=1; filter=2; filter=3; filter=4; filter=5",
                        c -> c.channels().get(0).filters(),
                        List.of("1", "2", "3", "4", "5")),
                new Ok("Grip-Channel", "a; unknown=1", GripInstruct::channels, List.of(new GripChannel("a"))),
                new Ok("Grip-Timeout", "120", GripInstruct::timeoutSeconds, 120),
                new Ok("Grip-Timeout", "0", GripInstruct::timeoutSeconds, 5),
                new Ok("Grip-Timeout", "4", GripInstruct::timeoutSeconds, 5),
                new Ok("Grip-Timeout", " 30 ", GripInstruct::timeoutSeconds, 30),
                new Ok(
                        "Grip-Keep-Alive",
                        "ping",
                        GripInstruct::keepAlive,
                        new KeepAlive(b("ping"), 55, KeepAliveMode.IDLE)),
                new Ok(
                        "Grip-Keep-Alive",
                        ":\\n\\n; format=cstring; timeout=20",
                        GripInstruct::keepAlive,
                        new KeepAlive(b(":\n\n"), 20, KeepAliveMode.IDLE)),
                new Ok(
                        "Grip-Keep-Alive",
                        "a\\\\b\\r\\x41\\x7e\\q; format=cstring",
                        GripInstruct::keepAlive,
                        new KeepAlive(b("a\\b\rA~"), 55, KeepAliveMode.IDLE)),
                new Ok(
                        "Grip-Keep-Alive",
                        "aGk=; format=base64",
                        GripInstruct::keepAlive,
                        new KeepAlive(b("hi"), 55, KeepAliveMode.IDLE)),
                new Ok(
                        "Grip-Keep-Alive",
                        "x; format=raw; mode=interval; timeout=0",
                        GripInstruct::keepAlive,
                        new KeepAlive(b("x"), 1, KeepAliveMode.INTERVAL)),
                new Ok(
                        "Grip-Keep-Alive",
                        "x; mode=idle",
                        GripInstruct::keepAlive,
                        new KeepAlive(b("x"), 55, KeepAliveMode.IDLE)),
                new Ok(
                        "Grip-Keep-Alive",
                        "a, b",
                        GripInstruct::keepAlive,
                        new KeepAlive(b("a, b"), 55, KeepAliveMode.IDLE)),
                new Ok("Grip-Status", "404", GripInstruct::status, new GripStatus(404, "Not Found")),
                new Ok("Grip-Status", "404 Nope Not Here", GripInstruct::status, new GripStatus(404, "Nope Not Here")),
                new Ok("Grip-Status", "0", GripInstruct::status, new GripStatus(0, "Unknown")),
                new Ok("Grip-Status", "999 Custom", GripInstruct::status, new GripStatus(999, "Custom")),
                new Ok("Grip-Link", "</next?x=1>; rel=next", GripInstruct::nextLink, new NextLink("/next?x=1", 120)),
                new Ok(
                        "Grip-Link",
                        "<http://o/n>; rel=next; timeout=30",
                        GripInstruct::nextLink,
                        new NextLink("http://o/n", 30)),
                new Ok("Grip-Link", "</gone>; rel=gone", GripInstruct::goneLink, "/gone"),
                new Ok(
                        "Grip-Link",
                        "</gone>; rel=gone, </n>; rel=next",
                        GripInstruct::nextLink,
                        new NextLink("/n", 120)),
                new Ok("Grip-Link", "</x>", GripInstruct::nextLink, null),
                new Ok("Grip-Link", "</x>; rel=prev", GripInstruct::nextLink, null),
                new Ok("Grip-Set-Meta", "user=alice", GripInstruct::meta, Map.of("user", "alice")),
                new Ok(
                        "Grip-Set-Meta",
                        "user=\"a, b\", id_format=\"%(x)s\"",
                        GripInstruct::meta,
                        Map.of("user", "a, b", "id_format", "%(x)s")),
                new Ok("Grip-Set-Meta", "flag", GripInstruct::meta, Map.of("flag", "")),
                new Ok("Grip-Expose-Headers", "X-A, x-b", GripInstruct::exposeHeaders, List.of("X-A", "x-b")),
                new Ok("Grip-Expose-Headers", "", GripInstruct::exposeHeaders, null),
                new Ok("Grip-Unknown", "whatever", GripInstruct::hold, null));
    }

    static Stream<Bad> bad() {
        return Stream.of(
                new Bad("Grip-Hold", "Response", "Grip-Hold: \"Response\" (expected: response or stream)"),
                new Bad("Grip-Hold", "", "Grip-Hold: \"\" (expected: response or stream)"),
                new Bad(
                        "Grip-Channel",
                        "; prev-id=1",
                        "Grip-Channel: \"; prev-id=1\" (expected: channel name before the first ';')"),
                new Bad(
                        "Grip-Channel",
                        "a; prev-id=\"1",
                        "Grip-Channel: \"a; prev-id=\"1\" (unterminated quoted value)"),
                new Bad(
                        "Grip-Channel",
                        "a; prev-id=\"1\\",
                        "Grip-Channel: \"a; prev-id=\"1\\\" (backslash at end of quoted value)"),
                new Bad(
                        "Grip-Channel",
                        "a; filter=1; filter=2; filter=3; filter=4; filter=5; filter=6",
                        "Grip-Channel: \"a; filter=1; filter=2; filter=3; filter=4; filter=5; filter=6\" (too many filters: 6, expected: at most 5)"),
                new Bad("Grip-Timeout", "-3", "Grip-Timeout: \"-3\" (expected: integer >= 0)"),
                new Bad("Grip-Timeout", "abc", "Grip-Timeout: \"abc\" (expected: integer >= 0)"),
                new Bad("Grip-Timeout", "1.5", "Grip-Timeout: \"1.5\" (expected: integer >= 0)"),
                new Bad("Grip-Timeout", "99999999999", "Grip-Timeout: \"99999999999\" (expected: integer >= 0)"),
                new Bad(
                        "Grip-Keep-Alive",
                        "; timeout=5",
                        "Grip-Keep-Alive: \"; timeout=5\" (expected: non-empty data before ';')"),
                new Bad(
                        "Grip-Keep-Alive",
                        "x; mode=sometimes",
                        "Grip-Keep-Alive: mode=\"sometimes\" (expected: idle or interval)"),
                new Bad("Grip-Keep-Alive", "x; timeout=-1", "Grip-Keep-Alive: timeout=\"-1\" (expected: integer >= 0)"),
                new Bad(
                        "Grip-Keep-Alive",
                        "x; timeout=soon",
                        "Grip-Keep-Alive: timeout=\"soon\" (expected: integer >= 0)"),
                new Bad(
                        "Grip-Keep-Alive",
                        "x; format=hex",
                        "Grip-Keep-Alive: format=\"hex\" (expected: raw, cstring or base64)"),
                new Bad(
                        "Grip-Keep-Alive",
                        "x\\; format=cstring",
                        "Grip-Keep-Alive: \"x\\\" (expected: cstring with escapes \\\\ \\r \\n \\xHH)"),
                new Bad(
                        "Grip-Keep-Alive",
                        "\\x4; format=cstring",
                        "Grip-Keep-Alive: \"\\x4\" (expected: cstring with escapes \\\\ \\r \\n \\xHH)"),
                new Bad(
                        "Grip-Keep-Alive",
                        "\\xzz; format=cstring",
                        "Grip-Keep-Alive: \"\\xzz\" (expected: cstring with escapes \\\\ \\r \\n \\xHH)"),
                new Bad(
                        "Grip-Keep-Alive",
                        "\\q; format=cstring",
                        "Grip-Keep-Alive: \"\\q; format=cstring\" (expected: non-empty data)"),
                new Bad("Grip-Keep-Alive", "!!!; format=base64", "Grip-Keep-Alive: \"!!!\" (expected: valid Base64)"),
                new Bad(
                        "Grip-Keep-Alive",
                        "x; mode=\"idle",
                        "Grip-Keep-Alive: \"x; mode=\"idle\" (unterminated quoted value)"),
                new Bad("Grip-Status", "abc", "Grip-Status: \"abc\" (expected: code 0-999, optional reason)"),
                new Bad("Grip-Status", "1000", "Grip-Status: \"1000\" (expected: code 0-999, optional reason)"),
                new Bad("Grip-Status", "-1 Bad", "Grip-Status: \"-1 Bad\" (expected: code 0-999, optional reason)"),
                new Bad(
                        "Grip-Link",
                        "/next; rel=next",
                        "Grip-Link: \"/next; rel=next\" (expected: <uri>; rel=next or <uri>; rel=gone)"),
                new Bad(
                        "Grip-Link",
                        "<>; rel=next",
                        "Grip-Link: \"<>; rel=next\" (expected: <uri>; rel=next or <uri>; rel=gone)"),
                new Bad("Grip-Link", "<a b>; rel=next", "Grip-Link: \"a b\" (invalid URI: Illegal character in path)"),
                new Bad("Grip-Link", "</n>; rel=next; timeout=x", "Grip-Link: timeout=\"x\" (expected: integer >= 0)"),
                new Bad(
                        "Grip-Link",
                        "</n>; rel=next; timeout=-1",
                        "Grip-Link: timeout=\"-1\" (expected: integer >= 0)"),
                new Bad("Grip-Link", "</n>; rel=\"next", "Grip-Link: \"</n>; rel=\"next\" (unterminated quoted value)"),
                new Bad("Grip-Set-Meta", "=v", "Grip-Set-Meta: \"=v\" (expected: name=value or name=\"value\")"),
                new Bad("Grip-Set-Meta", "a=\"v", "Grip-Set-Meta: \"a=\"v\" (unterminated quoted value)"));
    }

    @ParameterizedTest
    @MethodSource("ok")
    void parsesHeader(Ok c) throws Exception {
        GripInstruct i = GripInstructParser.parse(200, List.of(Map.entry(c.header(), c.value())), new byte[0]);
        assertThat(c.get().apply(i)).isEqualTo(c.expected());
    }

    @ParameterizedTest
    @MethodSource("bad")
    void rejectsHeader(Bad c) {
        assertThatThrownBy(() -> GripInstructParser.parse(200, List.of(Map.entry(c.header(), c.value())), new byte[0]))
                .isInstanceOf(GripInstructException.class)
                .hasMessage(c.message());
    }

    @Test
    void defaults() throws Exception {
        GripInstruct i = GripInstructParser.parse(200, List.of(Map.entry("Grip-Hold", "response")), null);
        assertThat(i)
                .isEqualTo(new GripInstruct(
                        HoldMode.RESPONSE, List.of(), 55, null, null, null, null, Map.of(), null, null));
    }

    @Test
    void repeatedChannelHeadersAccumulateInOrder() throws Exception {
        GripInstruct i = GripInstructParser.parse(
                200,
                List.of(
                        Map.entry("Grip-Channel", "a, b"),
                        Map.entry("Content-Type", "text/plain"),
                        Map.entry("grip-channel", "c; prev-id=1")),
                new byte[0]);
        assertThat(i.channels()).extracting(GripChannel::name).containsExactly("a", "b", "c");
    }

    @Test
    void firstHoldHeaderWins() throws Exception {
        GripInstruct i = GripInstructParser.parse(
                200, List.of(Map.entry("Grip-Hold", "stream"), Map.entry("Grip-Hold", "bogus")), new byte[0]);
        assertThat(i.hold()).isEqualTo(HoldMode.STREAM);
    }

    @Test
    void headerBytesAreReadAsUtf8LikePushpin() throws Exception {
        String wire = new String("caf\u00e9".getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
        GripInstruct i = GripInstructParser.parse(
                200,
                List.of(
                        Map.entry("Grip-Channel", wire + "; prev-id=" + wire),
                        Map.entry("Grip-Keep-Alive", wire),
                        Map.entry("Grip-Set-Meta", "user=" + wire)),
                new byte[0]);
        assertThat(i.channels()).containsExactly(new GripChannel("caf\u00e9", "caf\u00e9", List.of()));
        assertThat(i.keepAlive().content()).isEqualTo("caf\u00e9".getBytes(StandardCharsets.UTF_8));
        assertThat(i.meta()).containsEntry("user", "caf\u00e9");
        // already-decoded text works the same
        GripInstruct j = GripInstructParser.parse(
                200,
                List.of(
                        Map.entry("Grip-Channel", "\u30c1\u30e3\u30f3\u30cd\u30eb"),
                        Map.entry("Grip-Keep-Alive", "\u2603")),
                new byte[0]);
        assertThat(j.channels()).containsExactly(new GripChannel("\u30c1\u30e3\u30f3\u30cd\u30eb"));
        assertThat(j.keepAlive().content()).isEqualTo("\u2603".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void rawKeepAliveKeepsNonUtf8Bytes() throws Exception {
        GripInstruct i =
                GripInstructParser.parse(200, List.of(Map.entry("Grip-Keep-Alive", "\u00ff\u00fe")), new byte[0]);
        assertThat(i.keepAlive().content()).containsExactly(0xff, 0xfe);
    }

    @Test
    void isGrip() {
        assertThat(GripInstructParser.isGrip(List.of(Map.entry("grip-hold", "x"))))
                .isTrue();
        assertThat(GripInstructParser.isGrip(List.of(Map.entry("GRIP-LINK", "x"))))
                .isTrue();
        assertThat(GripInstructParser.isGrip(
                        List.of(Map.entry("Content-Type", "Application/Grip-Instruct; charset=utf-8"))))
                .isTrue();
        assertThat(GripInstructParser.isGrip(List.of(Map.entry("Content-Type", "application/json"))))
                .isFalse();
        assertThat(GripInstructParser.isGrip(List.of(Map.entry("X-Grip-Hold", "response"))))
                .isFalse();
        assertThat(GripInstructParser.isGrip(List.of())).isFalse();
    }

    // ---- application/grip-instruct

    private static GripInstruct json(String body) throws GripInstructException {
        return json(body, List.of());
    }

    private static GripInstruct json(String body, List<Map.Entry<String, String>> extra) throws GripInstructException {
        List<Map.Entry<String, String>> h = new ArrayList<>(extra);
        h.add(Map.entry("Content-Type", "application/grip-instruct"));
        return GripInstructParser.parse(200, h, b(body));
    }

    @Test
    void jsonHoldWithEverything() throws Exception {
        GripInstruct i = json("""
                {"hold": {"mode": "stream",
                          "channels": [{"name": "a", "prev-id": "3", "filters": ["skip-self"]}, {"name": "b"}],
                          "timeout": 30,
                          "keep-alive": {"content": "ka\\n", "timeout": 10},
                          "meta": {"user": "alice"}},
                 "response": {"code": 201, "headers": {"X-A": "1"}, "body": "hello"}}""");
        assertThat(i.hold()).isEqualTo(HoldMode.STREAM);
        assertThat(i.channels()).containsExactly(new GripChannel("a", "3", List.of("skip-self")), new GripChannel("b"));
        assertThat(i.timeoutSeconds()).isEqualTo(30);
        assertThat(i.keepAlive()).isEqualTo(new KeepAlive(b("ka\n"), 10, KeepAliveMode.IDLE));
        assertThat(i.meta()).containsExactlyEntriesOf(Map.of("user", "alice"));
        assertThat(i.response())
                .isEqualTo(new InstructResponse(201, "Created", List.of(Map.entry("X-A", "1")), b("hello")));
    }

    @Test
    void jsonDefaults() throws Exception {
        GripInstruct i = json("{\"hold\": {\"channels\": [{\"name\": \"a\"}]}}");
        assertThat(i.hold()).isEqualTo(HoldMode.RESPONSE);
        assertThat(i.timeoutSeconds()).isEqualTo(55);
        assertThat(i.keepAlive()).isNull();
        assertThat(i.response()).isEqualTo(new InstructResponse(200, "OK", List.of(), new byte[0]));
    }

    @Test
    void jsonResponseVariants() throws Exception {
        GripInstruct i = json("""
                {"response": {"reason": "Fine", "headers": [["X-A", "1"], ["X-A", "2"]], "body-bin": "AAE="}}""");
        assertThat(i.hold()).isNull();
        assertThat(i.response())
                .isEqualTo(new InstructResponse(
                        200, "Fine", List.of(Map.entry("X-A", "1"), Map.entry("X-A", "2")), new byte[] {0, 1}));
    }

    @Test
    void jsonKeepAliveBinaryAndMinimumTimeout() throws Exception {
        GripInstruct i = json(
                "{\"hold\": {\"channels\": [], \"keep-alive\": {\"content-bin\": \"aGk=\", \"timeout\": 0, \"mode\": \"interval\"}}}");
        assertThat(i.keepAlive()).isEqualTo(new KeepAlive(b("hi"), 1, KeepAliveMode.INTERVAL));
    }

    @Test
    void gripStatusAppliesToJsonResponseUnlessCodeGiven() throws Exception {
        assertThat(json("{}", List.of(Map.entry("Grip-Status", "404 Gone Fishing")))
                        .response())
                .isEqualTo(new InstructResponse(404, "Gone Fishing", List.of(), new byte[0]));
        assertThat(json("{\"response\": {\"code\": 202}}", List.of(Map.entry("Grip-Status", "404 Gone Fishing")))
                        .response())
                .isEqualTo(new InstructResponse(202, "Accepted", List.of(), new byte[0]));
    }

    @Test
    void headerInstructionsStillApplyWithJson() throws Exception {
        GripInstruct i = json(
                "{\"hold\": {\"channels\": [{\"name\": \"j\"}], \"meta\": {\"b\": \"2\"}}}",
                List.of(
                        Map.entry("Grip-Channel", "ignored"),
                        Map.entry("Grip-Link", "</n>; rel=next"),
                        Map.entry("Grip-Set-Meta", "a=1")));
        assertThat(i.channels()).containsExactly(new GripChannel("j"));
        assertThat(i.nextLink()).isEqualTo(new NextLink("/n", 120));
        assertThat(i.meta()).containsExactly(Map.entry("a", "1"), Map.entry("b", "2"));
    }

    record BadJson(int status, String body, String message) {
        @Override
        public String toString() {
            return body;
        }
    }

    static Stream<BadJson> badJson() {
        String p = "application/grip-instruct: ";
        return Stream.of(
                new BadJson(404, "{}", p + "origin status 404 (expected: 200)"),
                new BadJson(200, "{", p + "body is not valid JSON (at line 1, column 2)"),
                new BadJson(200, "", p + "body is empty (expected: JSON object)"),
                new BadJson(200, "{} {}", p + "body is not valid JSON (at line 1, column 4)"),
                new BadJson(200, "[1]", p + "body is an array (expected: JSON object)"),
                new BadJson(200, "{\"hold\": 1}", p + "hold: 1 (expected: object)"),
                new BadJson(
                        200,
                        "{\"hold\": {\"mode\": \"poll\", \"channels\": []}}",
                        p + "hold.mode: \"poll\" (expected: response or stream)"),
                new BadJson(200, "{\"hold\": {\"mode\": 1, \"channels\": []}}", p + "hold.mode: 1 (expected: string)"),
                new BadJson(200, "{\"hold\": {}}", p + "hold.channels: missing (expected: array of channel objects)"),
                new BadJson(
                        200,
                        "{\"hold\": {\"channels\": {}}}",
                        p + "hold.channels: an object (expected: array of channel objects)"),
                new BadJson(
                        200, "{\"hold\": {\"channels\": [\"a\"]}}", p + "hold.channels[0]: \"a\" (expected: object)"),
                new BadJson(
                        200,
                        "{\"hold\": {\"channels\": [{}]}}",
                        p + "hold.channels[0].name: missing (expected: string)"),
                new BadJson(
                        200,
                        "{\"hold\": {\"channels\": [{\"name\": \"\"}]}}",
                        p + "hold.channels[0].name: \"\" (expected: non-empty string)"),
                new BadJson(
                        200,
                        "{\"hold\": {\"channels\": [{\"name\": \"a\", \"prev-id\": 3}]}}",
                        p + "hold.channels[0].prev-id: 3 (expected: string)"),
                new BadJson(
                        200,
                        "{\"hold\": {\"channels\": [{\"name\": \"a\", \"filters\": \"x\"}]}}",
                        p + "hold.channels[0].filters: \"x\" (expected: array of strings)"),
                new BadJson(
                        200,
                        "{\"hold\": {\"channels\": [{\"name\": \"a\", \"filters\": [1]}]}}",
                        p + "hold.channels[0].filters[0]: 1 (expected: string)"),
                new BadJson(
                        200,
                        "{\"hold\": {\"channels\": [{\"name\": \"a\", \"filters\": [\"1\",\"2\",\"3\",\"4\",\"5\",\"6\"]}]}}",
                        p + "hold.channels[0].filters: 6 filters (expected: at most 5)"),
                new BadJson(
                        200,
                        "{\"hold\": {\"channels\": [], \"timeout\": \"5\"}}",
                        p + "hold.timeout: \"5\" (expected: integer >= 0)"),
                new BadJson(
                        200,
                        "{\"hold\": {\"channels\": [], \"timeout\": -1}}",
                        p + "hold.timeout: -1 (expected: integer >= 0)"),
                new BadJson(
                        200,
                        "{\"hold\": {\"channels\": [], \"timeout\": 1.5}}",
                        p + "hold.timeout: 1.5 (expected: integer >= 0)"),
                new BadJson(
                        200,
                        "{\"hold\": {\"channels\": [], \"keep-alive\": 1}}",
                        p + "hold.keep-alive: 1 (expected: object)"),
                new BadJson(
                        200,
                        "{\"hold\": {\"channels\": [], \"keep-alive\": {\"content\": 1}}}",
                        p + "hold.keep-alive.content: 1 (expected: string)"),
                new BadJson(
                        200,
                        "{\"hold\": {\"channels\": [], \"keep-alive\": {\"content-bin\": \"%%\"}}}",
                        p + "hold.keep-alive.content-bin: \"%%\" (expected: valid Base64)"),
                new BadJson(
                        200,
                        "{\"hold\": {\"channels\": [], \"keep-alive\": {\"content\": \"x\", \"timeout\": -2}}}",
                        p + "hold.keep-alive.timeout: -2 (expected: integer >= 0)"),
                new BadJson(
                        200,
                        "{\"hold\": {\"channels\": [], \"keep-alive\": {\"content\": \"x\", \"mode\": \"x\"}}}",
                        p + "hold.keep-alive.mode: \"x\" (expected: idle or interval)"),
                new BadJson(
                        200,
                        "{\"hold\": {\"channels\": [], \"meta\": []}}",
                        p + "hold.meta: an array (expected: object)"),
                new BadJson(
                        200,
                        "{\"hold\": {\"channels\": [], \"meta\": {\"k\": 1}}}",
                        p + "hold.meta.k: 1 (expected: string)"),
                new BadJson(200, "{\"response\": []}", p + "response: an array (expected: object)"),
                new BadJson(
                        200,
                        "{\"response\": {\"code\": \"200\"}}",
                        p + "response.code: \"200\" (expected: integer 0-999)"),
                new BadJson(
                        200, "{\"response\": {\"code\": 1000}}", p + "response.code: 1000 (expected: integer 0-999)"),
                new BadJson(200, "{\"response\": {\"reason\": 1}}", p + "response.reason: 1 (expected: string)"),
                new BadJson(
                        200,
                        "{\"response\": {\"headers\": 1}}",
                        p + "response.headers: 1 (expected: object of strings or array of [name, value] pairs)"),
                new BadJson(
                        200,
                        "{\"response\": {\"headers\": [[\"a\"]]}}",
                        p + "response.headers[0]: [\"a\"] (expected: [name, value] strings)"),
                new BadJson(
                        200,
                        "{\"response\": {\"headers\": {\"a\": 1}}}",
                        p + "response.headers.a: 1 (expected: string)"),
                new BadJson(200, "{\"response\": {\"body\": {}}}", p + "response.body: an object (expected: string)"),
                new BadJson(
                        200,
                        "{\"response\": {\"body-bin\": \"@\"}}",
                        p + "response.body-bin: \"@\" (expected: valid Base64)"));
    }

    @ParameterizedTest
    @MethodSource("badJson")
    void rejectsJson(BadJson c) {
        assertThatThrownBy(() -> GripInstructParser.parse(
                        c.status(), List.of(Map.entry("Content-Type", "application/grip-instruct")), b(c.body())))
                .isInstanceOf(GripInstructException.class)
                .hasMessage(c.message());
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
