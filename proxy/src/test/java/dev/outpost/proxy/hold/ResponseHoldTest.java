package dev.outpost.proxy.hold;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResponseHoldTest {

    @Test
    void publishedHeadersReplaceHeldOnesOfTheSameNameCaseInsensitively() {
        List<Map.Entry<String, String>> merged = ResponseHold.merge(
                List.of(
                        Map.entry("Content-Type", "text/plain"),
                        Map.entry("X-A", "1"),
                        Map.entry("Set-Cookie", "a"),
                        Map.entry("Set-Cookie", "b")),
                List.of(
                        Map.entry("content-type", "application/json"),
                        Map.entry("Set-Cookie", "c"),
                        Map.entry("Content-Length", "99")));
        assertThat(merged)
                .containsExactly(
                        Map.entry("X-A", "1"),
                        Map.entry("content-type", "application/json"),
                        Map.entry("Set-Cookie", "c"));
    }
}
