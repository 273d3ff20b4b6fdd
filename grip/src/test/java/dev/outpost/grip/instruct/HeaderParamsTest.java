package dev.outpost.grip.instruct;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.grip.instruct.HeaderParams.Param;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class HeaderParamsTest {

    record Split(String in, List<String> out) {}

    static Stream<Split> splits() {
        return Stream.of(
                new Split("", List.of()),
                new Split("a", List.of("a")),
                new Split(" a , b ", List.of("a", "b")),
                new Split("a,,b", List.of("a", "", "b")),
                new Split("a; x=\"1,2\", b", List.of("a; x=\"1,2\"", "b")),
                new Split("a; x=\"q\\\",\", b", List.of("a; x=\"q\\\",\"", "b")),
                new Split("a; x=\"open, b", List.of("a; x=\"open, b")));
    }

    @ParameterizedTest
    @MethodSource("splits")
    void split(Split s) {
        assertThat(HeaderParams.split(s.in())).isEqualTo(s.out());
    }

    record Parse(String in, boolean firstIsValue, List<Param> out) {}

    static Stream<Parse> parses() {
        return Stream.of(
                new Parse("a", true, List.of(new Param("a", ""))),
                new Parse("a=b; c=d", true, List.of(new Param("a=b", ""), new Param("c", "d"))),
                new Parse("a=b; c=d", false, List.of(new Param("a", "b"), new Param("c", "d"))),
                new Parse(
                        "v ; flag ; k = v2 ",
                        true,
                        List.of(new Param("v", ""), new Param("flag", ""), new Param("k", "v2"))),
                new Parse("v; k=\"a;b\\\\c\\\"d\"", true, List.of(new Param("v", ""), new Param("k", "a;b\\c\"d"))),
                new Parse(
                        "v; k=\"x\" junk; j=1",
                        true,
                        List.of(new Param("v", ""), new Param("k", "x"), new Param("j", "1"))),
                new Parse("v;;", true, List.of(new Param("v", ""), new Param("", ""))),
                new Parse("v; k=", true, List.of(new Param("v", ""), new Param("k", ""))));
    }

    @ParameterizedTest
    @MethodSource("parses")
    void parseParams(Parse p) throws Exception {
        assertThat(HeaderParams.parseParams(p.in(), p.firstIsValue())).isEqualTo(p.out());
    }

    @Test
    void syntaxErrors() {
        assertThatThrownBy(() -> HeaderParams.parseParams("v; k=\"x", true))
                .isInstanceOf(HeaderParams.SyntaxException.class)
                .hasMessage("unterminated quoted value");
        assertThatThrownBy(() -> HeaderParams.parseParams("v; k=\"x\\", true))
                .isInstanceOf(HeaderParams.SyntaxException.class)
                .hasMessage("backslash at end of quoted value");
    }

    @Test
    void elementLookupIsCaseInsensitive() throws Exception {
        HeaderParams.Element e = HeaderParams.parseElement("chan; Prev-ID=3; filter=a; FILTER=b");
        assertThat(e.value()).isEqualTo("chan");
        assertThat(e.get("prev-id")).isEqualTo("3");
        assertThat(e.has("nope")).isFalse();
        assertThat(e.getAll("filter")).containsExactly("a", "b");
    }

    @Test
    void headerLookup() {
        List<Map.Entry<String, String>> h = List.of(Map.entry("A", "1, 2"), Map.entry("b", "x"), Map.entry("a", "3"));
        assertThat(HeaderParams.first(h, "a")).isEqualTo("1, 2");
        assertThat(HeaderParams.first(h, "c")).isNull();
        assertThat(HeaderParams.values(h, "a", true)).containsExactly("1", "2", "3");
        assertThat(HeaderParams.values(h, "a", false)).containsExactly("1, 2", "3");
    }
}
