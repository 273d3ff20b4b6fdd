package dev.outpost.grip;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HttpStatusTextTest {
    @ParameterizedTest
    @CsvSource({
        "200, OK",
        "101, Switching Protocols",
        "204, No Content",
        "404, Not Found",
        "502, Bad Gateway",
        "429, Too Many Requests",
        "0, Unknown",
        "299, Unknown",
        "999, Unknown",
        "-1, Unknown"
    })
    void phrases(int code, String phrase) {
        assertThat(HttpStatusText.of(code)).isEqualTo(phrase);
    }
}
