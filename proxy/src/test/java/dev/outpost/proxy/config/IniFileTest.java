package dev.outpost.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IniFileTest {

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '\'',
            value = {
                "plain|plain",
                "'  padded  '|padded",
                "a,b|a/b",
                "' a , b '|a/b",
                "'\"x, y\"'|'x, y'",
                "'\" spaced \"'|' spaced '",
                "'\"a\" , \"b\"'|a/b",
                "'x;comment'|x",
                "'\"x;y\";z'|'x;y'",
                "'a\\,b'|'a,b'",
                "'a\\\\b'|'a\\b'",
                "''|''",
                "'\"\"'|''",
            })
    void valuesAreUnquotedAndSplit(String raw, String expected) {
        assertThat(String.join("/", IniFile.splitValue(raw))).isEqualTo(expected);
    }

    @Test
    void sectionsAndLineNumbers() {
        IniFile ini = IniFile.parse("top=1\r\n[a]\r\n  k = v  \n; c\n# d\n[ b ]\nk2=\nbroken\n[c\n");
        assertThat(ini.entries())
                .extracting(e -> e.section() + "/" + e.key() + "=" + e.value() + "@" + e.line())
                .containsExactly("General/top=1@1", "a/k=v@3", "b/k2=@7");
        assertThat(ini.junk()).extracting(IniFile.Junk::line).containsExactly(8, 9);
        assertThat(Arrays.asList(ini.entries().get(1).values().toArray())).containsExactly("v");
    }
}
