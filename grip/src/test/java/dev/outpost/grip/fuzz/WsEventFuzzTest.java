package dev.outpost.grip.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.outpost.grip.origin.WebSocketContext;
import dev.outpost.grip.wsovh.WsEvent;
import dev.outpost.grip.wsovh.WsEventCodec;
import dev.outpost.grip.wsovh.WsEventException;
import java.util.List;

/**
 * WebSocket-over-HTTP events ({@code application/websocket-events}), as the proxy reads an origin's answer and as an
 * origin reads the proxy's request: events or {@link WsEventException}, content never larger than the body, and
 * encoding what was decoded decodes to the same events.
 */
class WsEventFuzzTest {

    @FuzzTest(maxDuration = "5m")
    void events(byte[] body) {
        List<WsEvent> events;
        try {
            events = WsEventCodec.decode(body);
        } catch (WsEventException e) {
            assertThat(e.getMessage()).isNotBlank();
            return;
        }
        long content = 0;
        for (WsEvent e : events) {
            content += switch (e) {
                case WsEvent.Text t -> t.content().length;
                case WsEvent.Binary b -> b.content().length;
                case WsEvent.Ping p -> p.content().length;
                case WsEvent.Pong p -> p.content().length;
                default -> 0;
            };
        }
        assertThat(content).isLessThanOrEqualTo(body.length);
        try {
            assertThat(WsEventCodec.decode(WsEventCodec.encode(events))).isEqualTo(events);
        } catch (WsEventException e) {
            throw new AssertionError("the encoder's own output does not decode: " + e.getMessage(), e);
        }
    }

    /** An origin's view: {@code Connection-Id}, {@code Meta-*} headers and the events (see {@link Inputs#message}). */
    @FuzzTest(maxDuration = "5m")
    void originRequest(byte[] data) {
        Inputs.Message m = Inputs.message(data);
        try {
            WebSocketContext ctx = WebSocketContext.fromRequest(m.headers(), m.body());
            assertThat(ctx).isNotNull();
        } catch (WsEventException e) {
            assertThat(e.getMessage()).isNotBlank();
        }
    }
}
