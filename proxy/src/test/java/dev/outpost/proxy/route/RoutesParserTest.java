package dev.outpost.proxy.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class RoutesParserTest {

    private static Route line(String l) throws RoutesException {
        return RoutesParser.parseLine(l, "routes:1");
    }

    @Test
    void simplestRoute() throws Exception {
        Route r = line("* localhost:8080");
        assertThat(r.domain()).isNull();
        assertThat(r.hostless()).isFalse();
        assertThat(r.pathBeg()).isNull();
        assertThat(r.proto()).isNull();
        assertThat(r.ssl()).isNull();
        assertThat(r.id()).isNull();
        assertThat(r.prefix()).isEmpty();
        assertThat(r.replaceBeg()).isNull();
        assertThat(r.sigKey()).isNull();
        assertThat(r.sigIss()).isNull();
        assertThat(r.noGrip()).isFalse();
        assertThat(r.headers()).isEmpty();
        assertThat(r.source()).isEqualTo("routes:1");
        assertThat(r.notes()).isEmpty();
        assertThat(r.targets()).containsExactly(Target.host("localhost", 8080));
    }

    record Case(String line, Function<Route, Object> get, Object expected) {
        @Override
        public String toString() {
            return line;
        }
    }

    static List<Case> conditionProps() {
        return List.of(
                new Case("example.com localhost:80", Route::domain, "example.com"),
                new Case("Example.COM localhost:80", Route::domain, "Example.COM"),
                new Case("* localhost:80", Route::domain, null),
                new Case("*,path_beg=/api localhost:80", Route::pathBeg, "/api"),
                new Case("*,proto=http localhost:80", Route::proto, Proto.HTTP),
                new Case("*,proto=ws localhost:80", Route::proto, Proto.WS),
                new Case("*,proto=http,proto=ws localhost:80", Route::proto, Proto.WS),
                new Case("*,ssl=yes localhost:80", Route::ssl, true),
                new Case("*,ssl=no localhost:80", Route::ssl, false),
                new Case("*,id=api localhost:80", Route::id, "api"),
                new Case("*,id= localhost:80", Route::id, null),
                new Case("*,path_beg=/a,replace_beg=/b localhost:80", Route::replaceBeg, "/b"),
                new Case("*,replace_beg= localhost:80", Route::replaceBeg, ""),
                new Case("*,prefix=app- localhost:80", Route::prefix, "app-"),
                new Case("*,sig_key=secret localhost:80", r -> str(r.sigKey()), "secret"),
                new Case("*,sig_key=base64:aGVsbG8= localhost:80", r -> str(r.sigKey()), "hello"),
                new Case("*,sig_iss=me localhost:80", Route::sigIss, "me"),
                new Case("*,no_grip localhost:80", Route::noGrip, true),
                new Case("*,header=X-A:1 localhost:80", Route::headers, List.of(Map.entry("X-A", "1"))),
                new Case(
                        "*,header=\"X-A:   spaced\" localhost:80", Route::headers, List.of(Map.entry("X-A", "spaced"))),
                new Case("*,header=X-A:a:b localhost:80", Route::headers, List.of(Map.entry("X-A", "a:b"))),
                new Case("*,header=X-A: localhost:80", Route::headers, List.of(Map.entry("X-A", ""))),
                new Case(
                        "*,header=X-A:1,header=X-B:2 localhost:80",
                        Route::headers,
                        List.of(Map.entry("X-A", "1"), Map.entry("X-B", "2"))),
                new Case(
                        "*,header=X-A:1,header=x-a:2,header=X-B:3 localhost:80",
                        Route::headers,
                        List.of(Map.entry("X-A", "1"), Map.entry("X-B", "3"))),
                new Case(
                        "*,header=\"X-A: one, two\" localhost:80",
                        Route::headers,
                        List.of(Map.entry("X-A", "one, two"))),
                new Case("*,as_host=backend.internal:8080 localhost:80", Route::asHost, "backend.internal:8080"),
                new Case("*,path_rem=4 localhost:80", Route::pathRem, 4),
                new Case("*,debug localhost:80", Route::debug, true),
                new Case("*,aco localhost:80", Route::autoCrossOrigin, true),
                new Case("*,session localhost:80", Route::session, true),
                new Case("*,orig_headers localhost:80", Route::origHeaders, true),
                new Case("*,log_level=3 localhost:80", Route::logLevel, 3),
                new Case(
                        "*,jsonp_mode=basic,jsonp_cb=cb,jsonp_body=b,jsonp_defcb=d,jsonp_defmethod=POST localhost:80",
                        r -> r.targets().size(),
                        1),
                new Case("id=only localhost:80", Route::hostless, true),
                new Case("id=only localhost:80", Route::id, "only"),
                new Case(",path_beg=/x localhost:80", Route::hostless, true),
                new Case(",path_beg=/x localhost:80", Route::pathBeg, "/x"));
    }

    private static String str(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("conditionProps")
    void conditionProp(Case c) throws Exception {
        assertThat(c.get().apply(line(c.line()))).isEqualTo(c.expected());
    }

    static List<Case> targetProps() {
        Function<Route, Target> t = r -> r.targets().getFirst();
        return List.of(
                new Case("* backend:80", r -> t.apply(r).kind(), Target.Kind.HOST),
                new Case("* backend:80", r -> t.apply(r).host(), "backend"),
                new Case("* backend:80", r -> t.apply(r).port(), 80),
                new Case("* 127.0.0.1:65535", r -> t.apply(r).port(), 65535),
                new Case("* [::1]:8080", r -> t.apply(r).host(), "::1"),
                new Case("* [::1]:8080", r -> t.apply(r).port(), 8080),
                new Case("* [::1]:8080", r -> t.apply(r).address(), "[::1]:8080"),
                new Case("* test", r -> t.apply(r), Target.test()),
                new Case("* backend:80,over_http", r -> t.apply(r).overHttp(), true),
                new Case("* backend:443,ssl", r -> t.apply(r).ssl(), true),
                new Case("* backend:443,ssl=no", r -> t.apply(r).ssl(), true),
                new Case("* backend:443,host=api.example.com", r -> t.apply(r).hostHeader(), "api.example.com"),
                new Case("* backend:443,host=", r -> t.apply(r).hostHeader(), null),
                new Case("* backend:443,insecure", r -> t.apply(r).insecure(), true),
                new Case("* backend:80,sub=a", r -> t.apply(r).subs(), List.of("a")),
                new Case("* backend:80,sub=a,sub=,sub=b", r -> t.apply(r).subs(), List.of("a", "b")),
                new Case("* backend:80,untrusted", r -> t.apply(r).untrusted(), true),
                new Case("* backend:80,trust_connect_host", r -> t.apply(r).trustConnectHost(), true),
                new Case("* backend:80,one_event", r -> t.apply(r).oneEvent(), true),
                new Case(
                        "* backend:80",
                        r -> t.apply(r).overHttp()
                                || t.apply(r).ssl()
                                || t.apply(r).insecure()
                                || t.apply(r).untrusted()
                                || t.apply(r).trustConnectHost()
                                || t.apply(r).oneEvent(),
                        false),
                new Case("* test,sub=x", r -> t.apply(r).subs(), List.of("x")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targetProps")
    void targetProp(Case c) throws Exception {
        assertThat(c.get().apply(line(c.line()))).isEqualTo(c.expected());
    }

    @Test
    void severalTargetsAreAFailoverListInOrder() throws Exception {
        Route r = line("api.example.com,path_beg=/stream,replace_beg=/ a:80 [::1]:81,ssl,host=h b:82,over_http");
        assertThat(r.targets()).extracting(Target::address).containsExactly("a:80", "[::1]:81", "b:82");
        assertThat(r.targets().get(1).ssl()).isTrue();
        assertThat(r.targets().get(1).hostHeader()).isEqualTo("h");
        assertThat(r.targets().get(2).overHttp()).isTrue();
        assertThat(r.targets().get(0).ssl()).isFalse();
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '\'',
            value = {
                "'* localhost:80 # comment'|1",
                "'*   localhost:80    other:81  '|2",
                "'*\tlocalhost:80'|1",
                "'  * localhost:80'|1",
                "'* localhost:80#x'|1",
            })
    void spacingAndComments(String l, int targets) throws Exception {
        assertThat(line(l).targets()).hasSize(targets);
    }

    @Test
    void quotedValues() throws Exception {
        Route r = line("*,prefix=\"a b\",sig_iss=\"x\\\"y\\\\z\",path_beg=/p\"#\"q localhost:80");
        assertThat(r.prefix()).isEqualTo("a b");
        assertThat(r.sigIss()).isEqualTo("x\"y\\z");
        assertThat(r.pathBeg()).isEqualTo("/p#q");
    }

    @Test
    void parseSkipsBlankAndCommentLinesAndNumbersSources() throws Exception {
        List<Route> routes = RoutesParser.parse("""
                # comment

                   # indented comment
                * a:1\r
                example.com b:2
                """, "/etc/routes");
        assertThat(routes).extracting(Route::source).containsExactly("/etc/routes:4", "/etc/routes:5");
    }

    @Test
    void parseLinesNumbersEachLine() throws Exception {
        assertThat(RoutesParser.parseLines(List.of("* a:1", "x b:2"), "--route"))
                .extracting(Route::source)
                .containsExactly("--route:1", "--route:2");
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '\'',
            value = {
                "*|must specify condition and at least one target (*)",
                "'*,path_beg=/a'|must specify condition and at least one target (*,path_beg=/a)",
                "'*,proto=tcp a:1'|proto must be http or ws (proto=tcp)",
                "'*,proto a:1'|proto must be http or ws (proto)",
                "'*,ssl=true a:1'|ssl must be yes or no (ssl=true)",
                "'*,ssl a:1'|ssl must be yes or no (ssl)",
                "'*,path_beg= a:1'|path_beg cannot be empty (path_beg=)",
                "'*,path_rem=x a:1'|path_rem must be an integer >= 0 (path_rem=x)",
                "'*,path_rem=-1 a:1'|path_rem must be an integer >= 0 (path_rem=-1)",
                "'*,log_level=high a:1'|log_level must be an integer >= 0 (log_level=high)",
                "'*,jsonp_mode=weird a:1'|jsonp_mode must be basic or extended (jsonp_mode=weird)",
                "'*,header=NoColon a:1'|header must use the format Name:Value (header=NoColon)",
                "'*,header=:v a:1'|header must use the format Name:Value (header=:v)",
                "'*,sig_key=base64:%% a:1'|bad sig_key, expected: base64: followed by valid Base64",
                "'*,sig_key=file:k.pem a:1'|bad sig_key, expected: a shared secret",
                "'* localhost'|target must be host:port, [ipv6]:port or test (localhost)",
                "'* localhost,ssl'|target must be host:port, [ipv6]:port or test (localhost,ssl)",
                "'* a:0'|target port must be 1-65535 (a:0)",
                "'* a:65536'|target port must be 1-65535 (a:65536)",
                "'* a:http'|target port must be 1-65535 (a:http)",
                "'* a:'|target port must be 1-65535 (a:)",
                "'* :80'|target host is empty (:80)",
                "'* ::1:80'|an IPv6 target needs brackets: [addr]:port (::1:80)",
                "'* [::1]80'|target must be host:port, [ipv6]:port or test ([::1]80)",
                "'* [::1'|target must be host:port, [ipv6]:port or test ([::1)",
                "'* zhttp/tcp://127.0.0.1:5000'|ZeroMQ (zhttp) targets are not supported (zhttp/tcp://127.0.0.1:5000)",
                "'* zhttpreq/tcp://127.0.0.1:5000'|ZeroMQ (zhttp) targets are not supported",
                "'*, a:1'|expecting a prop after ',' (*,)",
                "'* a:1,'|expecting a prop after ',' (a:1,)",
                "'*,,x a:1'|expecting a prop after ',' (*,)",
                "'*,=v a:1'|empty prop name (*,=v)",
                "'*,prefix=\"open a:1'|unterminated quoted value (\"open a:1)",
                "'*,prefix=\"a\\n\" a:1'|bad escape in quoted value",
                "'*,prefix=\"a\\'|unterminated quoted value",
                "'* =x'|empty prop name (=x)",
                "'* host=x'|target must be host:port, [ipv6]:port or test (host=x)",
            })
    void badLinesNameSourceReasonAndToken(String l, String expected) {
        assertThatThrownBy(() -> line(l))
                .isInstanceOf(RoutesException.class)
                .hasMessageStartingWith("routes:1: " + expected);
    }

    @Test
    void errorInAFileNamesItsLine() {
        assertThatThrownBy(() -> RoutesParser.parse("* a:1\n\n# c\nexample.com,proto=x b:2\n", "/etc/pushpin/routes"))
                .isInstanceOf(RoutesException.class)
                .hasMessage("/etc/pushpin/routes:4: proto must be http or ws (proto=x)")
                .satisfies(e -> {
                    RoutesException re = (RoutesException) e;
                    assertThat(re.source()).isEqualTo("/etc/pushpin/routes:4");
                    assertThat(re.reason()).isEqualTo("proto must be http or ws");
                    assertThat(re.token()).isEqualTo("proto=x");
                });
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "# only a comment", "  # indented"})
    void parseLineRejectsEmptyLines(String l) {
        assertThatThrownBy(() -> line(l))
                .isInstanceOf(RoutesException.class)
                .hasMessageStartingWith("routes:1: empty route");
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '\'',
            value = {
                "'*,aco a:1'|aco is not supported, ignored",
                "'*,session a:1'|session is not supported, ignored",
                "'*,sockjs=/s a:1'|sockjs is not supported, ignored",
                "'*,jsonp_cb=cb a:1'|jsonp_cb is not supported, ignored",
                "'*,orig_headers a:1'|orig_headers is not supported, ignored",
                "'*,frobnicate=1 a:1'|unknown prop frobnicate, ignored",
                "'*,debug=no a:1'|debug is a flag: its value (no) is ignored, the flag is on",
                "'* a:1,ssl=no'|target 1 (a:1): ssl is a flag: its value (no) is ignored, the flag is on",
                "'* a:1,client_cert=c.pem'|target 1 (a:1): client_cert is not supported, ignored",
                "'* a:1 b:2,zap'|target 2 (b:2): unknown prop zap, ignored",
                "'*.example.com a:1'|host *.example.com is matched literally",
                "'*,header=A:1,header=a:2 a:1'|header a is given more than once: the first value is used",
                "'example.com:8080 a:1'|host example.com:8080 never matches",
                "'id=x a:1'|the condition names no host: the route is reachable only through Pushpin-Route",
            })
    void toleratedPropsLeaveANote(String l, String note) throws Exception {
        assertThat(line(l).notes()).anySatisfy(n -> assertThat(n).startsWith(note));
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '\'',
            value = {
                "'*,path_beg=/api,replace_beg=/v2'|/api/x|/v2/x",
                "'*,path_beg=/api,replace_beg='|/api/x|/x",
                "'*,path_beg=/api,replace_beg=/'|/api/x|//x",
                "'*,replace_beg=/pre'|/x|/pre/x",
                "'*,path_rem=4'|/api/x|/x",
                "'*,path_rem=10'|/api|''",
                "'*,path_beg=/api,path_rem=1,replace_beg=/b'|/api/x|/b/x",
                "'*'|/api/x|/api/x",
            })
    void rewritePath(String condition, String in, String out) throws Exception {
        assertThat(line(condition + " a:1").rewritePath(in)).isEqualTo(out);
    }

    @Test
    void ownSignatureNeedsBothIssAndKey() throws Exception {
        assertThat(line("*,sig_iss=a,sig_key=k a:1").hasOwnSignature()).isTrue();
        assertThat(line("*,sig_iss=a a:1").hasOwnSignature()).isFalse();
        assertThat(line("*,sig_key=k a:1").hasOwnSignature()).isFalse();
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '\'',
            value = {
                "'*'|'*,*,*,*'",
                "'example.com,proto=ws,path_beg=/ws'|'example.com,ws,*,/ws'",
                "'*,ssl=yes,proto=http'|'*,http,no-ssl,*'",
                "'*,ssl=no'|'*,*,ssl,*'",
                "'*,id=mine,ssl=no'|'mine'",
            })
    void effectiveIdIsDerivedLikePushpin(String condition, String id) throws Exception {
        assertThat(line(condition + " a:1").effectiveId()).isEqualTo(id);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "\"",
                "\\",
                ",",
                ",,",
                "= =",
                "* \"",
                "a b,\"",
                "* a:1,\"\\",
                "#",
                "\u0000 \u0000",
                "* [",
                "* []:1",
                "* [:]:1",
                "*,header=\" a:1",
                "* a:99999999999999999999"
            })
    void oddLinesFailCleanly(String l) {
        try {
            line(l);
        } catch (RoutesException e) {
            assertThat(e.getMessage()).startsWith("routes:1: ");
        }
    }
}
