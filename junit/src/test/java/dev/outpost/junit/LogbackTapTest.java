package dev.outpost.junit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The tap collects Outpost's lines, guarded ones too, whatever the configured levels, and nothing else. */
class LogbackTapTest {
    @Test
    void collectsOutpostLinesAtDebugAndAbove() throws Exception {
        LogBuffer buffer = new LogBuffer(10);
        Logger access = LoggerFactory.getLogger("dev.outpost.proxy.access");
        Logger other = LoggerFactory.getLogger("com.example.App");
        assertThat(LogbackTap.available()).isTrue();
        try (AutoCloseable tap = LogbackTap.attach(buffer)) {
            if (access.isInfoEnabled()) {
                access.info("GET /stream accept");
            }
            LoggerFactory.getLogger("dev.outpost.proxy.hold.StreamHold").debug("holding {} for {} s", "news", 55);
            LoggerFactory.getLogger("dev.outpost.x").trace("too fine");
            other.warn("not ours");
        }
        access.info("after the tap");
        assertThat(buffer.last(10)).hasSize(2);
        assertThat(buffer.last(10).get(0)).endsWith("INFO access [main] GET /stream accept");
        assertThat(buffer.last(10).get(1)).contains("DEBUG StreamHold").endsWith("holding news for 55 s");
    }

    @Test
    void theBufferKeepsTheLastLinesAndMarks() {
        LogBuffer b = new LogBuffer(3);
        b.add("1");
        long mark = b.mark();
        b.add("2");
        b.add("3");
        b.add("4");
        assertThat(b.since(mark)).containsExactly("2", "3", "4");
        assertThat(b.last(2)).containsExactly("3", "4");
        assertThat(b.since(b.mark())).isEmpty();
    }
}
