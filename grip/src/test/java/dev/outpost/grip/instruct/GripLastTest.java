package dev.outpost.grip.instruct;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GripLastTest {
    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "c|7|c; last-id=7",
                "c|a;b|c; last-id=\"a;b\"",
                "c|q\"|c; last-id=\"q\\\"\"",
                "c|x,y|c; last-id=\"x,y\""
            })
    void formatsAndParsesBack(String channel, String id, String header) {
        assertThat(GripLast.format(channel, id)).isEqualTo(header);
        assertThat(GripLast.parse(List.of(Map.entry("Grip-Last", header)))).containsExactly(Map.entry(channel, id));
    }

    @Test
    void parsesManyAndSkipsJunk() {
        assertThat(GripLast.parse(List.of(
                        Map.entry("grip-last", "a; last-id=1, b; last-id=2"),
                        Map.entry("Grip-Last", "c"),
                        Map.entry("Grip-Last", "d; last-id=\"open"),
                        Map.entry("Other", "e; last-id=5"))))
                .containsExactly(Map.entry("a", "1"), Map.entry("b", "2"));
    }
}
