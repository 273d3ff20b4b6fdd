package dev.outpost.bus.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class BusUriTest {
    @Test
    void readsEveryForm() {
        assertThat(BusUri.parse("redis://10.0.0.5:6379")).isEqualTo(new BusUri(false, "10.0.0.5", 6379, 0, null, null));
        assertThat(BusUri.parse("redis://h")).isEqualTo(new BusUri(false, "h", 6379, 0, null, null));
        assertThat(BusUri.parse("rediss://u:p%40ss@h:6380/2")).isEqualTo(new BusUri(true, "h", 6380, 2, "u", "p@ss"));
        assertThat(BusUri.parse("redis://:secret@h:1/")).isEqualTo(new BusUri(false, "h", 1, 0, null, "secret"));
        assertThat(BusUri.parse("redis://secret@h:1")).isEqualTo(new BusUri(false, "h", 1, 0, null, "secret"));
        assertThat(BusUri.parse("redis://[::1]:7000")).isEqualTo(new BusUri(false, "::1", 7000, 0, null, null));
    }

    @Test
    void neverShowsThePassword() {
        assertThat(BusUri.parse("rediss://u:pw@h:6380/2").display()).isEqualTo("rediss://u:***@h:6380/2");
        assertThat(BusUri.parse("redis://:pw@h:1").display()).isEqualTo("redis://***@h:1/0");
        assertThat(BusUri.parse("redis://[::1]:7000").toString()).isEqualTo("redis://[::1]:7000/0");
    }

    @Test
    void mistakesAreNamed() {
        assertThatThrownBy(() -> BusUri.parse("")).hasMessageContaining("empty");
        assertThatThrownBy(() -> BusUri.parse("http://h:1")).hasMessageContaining("scheme http is not supported");
        assertThatThrownBy(() -> BusUri.parse("redis://h:1/16")).hasMessageContaining("database '16'");
        assertThatThrownBy(() -> BusUri.parse("redis://h:0")).hasMessageContaining("port 0");
        assertThatThrownBy(() -> BusUri.parse("redis://h:1?timeout=5")).hasMessageContaining("options after");
        assertThatThrownBy(() -> BusUri.parse("redis:///0")).hasMessageContaining("no host");
    }

    @Test
    void busMessagesCarryTimeKindOriginAndPayload() {
        byte[] body = BusMessage.body(BusMessage.ITEM, "ab12", "{}".getBytes(StandardCharsets.UTF_8));
        byte[] wire =
                ("1733490000:000042:" + new String(body, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
        BusMessage m = BusMessage.parse(wire);
        assertThat(m.busMicros()).isEqualTo(1733490000_000042L);
        assertThat(m.kind()).isEqualTo(BusMessage.ITEM);
        assertThat(m.origin()).isEqualTo("ab12");
        assertThat(new String(m.payload(), StandardCharsets.UTF_8)).isEqualTo("{}");
        BusMessage tick = BusMessage.parse("5:7:Tn1:".getBytes(StandardCharsets.UTF_8));
        assertThat(tick.kind()).isEqualTo(BusMessage.TICK);
        assertThat(tick.payload()).isEmpty();
        assertThatThrownBy(() -> BusMessage.parse("{\"items\":[]}".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("without its time");
        assertThatThrownBy(() -> BusMessage.parse("1:2:Xo:".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("unknown kind");
    }
}
