package dev.outpost.grip.origin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.grip.control.ControlMessage;
import dev.outpost.grip.control.ControlMessageParser;
import dev.outpost.grip.wsovh.WsEvent;
import dev.outpost.grip.wsovh.WsEventCodec;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WebSocketContextTest {
    static byte[] events(WsEvent... e) {
        return WsEventCodec.encode(List.of(e));
    }

    @Test
    void openingAcceptSubscribeAndEcho() throws Exception {
        WebSocketContext ws = WebSocketContext.fromRequest(
                List.of(
                        Map.entry("Connection-Id", "c1"),
                        Map.entry("Meta-User", "alice"),
                        Map.entry("Content-Type", WsEventCodec.CONTENT_TYPE)),
                events(new WsEvent.Open(), new WsEvent.Ping(new byte[0]), new WsEvent.Text("hello")),
                "app-");
        assertThat(ws.connectionId()).isEqualTo("c1");
        assertThat(ws.isOpening()).isTrue();
        assertThat(ws.meta()).isEqualTo(Map.of("user", "alice"));
        ws.accept();
        ws.subscribe("chat");
        assertThat(ws.canReceive()).isTrue();
        String msg = ws.receive();
        assertThat(msg).isEqualTo("hello");
        ws.send("echo: " + msg);
        assertThat(ws.canReceive()).isFalse();
        ws.meta().put("user", "bob");
        ws.meta().put("room", "1");

        List<WsEvent> out = WsEventCodec.decode(ws.responseBody());
        assertThat(out.get(0)).isEqualTo(new WsEvent.Open());
        byte[] control = ((WsEvent.Text) out.get(1)).content();
        assertThat(ControlMessageParser.parse(Arrays.copyOfRange(control, 2, control.length)))
                .isEqualTo(new ControlMessage.Subscribe("app-chat", List.of()));
        assertThat(out.get(2)).isEqualTo(new WsEvent.Pong(new byte[0]));
        assertThat(out.get(3)).isEqualTo(new WsEvent.Text("m:echo: hello"));
        assertThat(ws.responseHeaders())
                .containsExactly(
                        Map.entry("Content-Type", "application/websocket-events"),
                        Map.entry("Sec-WebSocket-Extensions", "grip"),
                        Map.entry("Set-Meta-user", "bob"),
                        Map.entry("Set-Meta-room", "1"));
    }

    @Test
    void closeAndDisconnect() throws Exception {
        WebSocketContext ws = WebSocketContext.of(
                "c2", Map.of("gone", "x"), List.of(new WsEvent.Close(1000, "bye"), new WsEvent.Disconnect()));
        assertThat(ws.isOpening()).isFalse();
        assertThat(ws.receive()).isNull();
        assertThat(ws.closeCode()).isEqualTo(1000);
        ws.close(1000, "ok");
        ws.meta().remove("gone");
        assertThat(WsEventCodec.decode(ws.responseBody())).containsExactly(new WsEvent.Close(1000, "ok"));
        assertThat(ws.responseHeaders()).contains(Map.entry("Set-Meta-gone", ""));
        assertThatThrownBy(ws::receive).hasMessageContaining("disconnected");
        assertThatThrownBy(ws::receive).hasMessageContaining("no message left");
    }

    @Test
    void recognisesWebSocketOverHttp() {
        assertThat(WebSocketContext.isWebSocketOverHttp("POST", "application/websocket-events; x=1"))
                .isTrue();
        assertThat(WebSocketContext.isWebSocketOverHttp("GET", "application/websocket-events"))
                .isFalse();
        assertThat(WebSocketContext.isWebSocketOverHttp("POST", "text/plain")).isFalse();
        assertThat(new String(WsEventCodec.encode(List.of(new WsEvent.Text("m:x"))), StandardCharsets.UTF_8))
                .isEqualTo("TEXT 3\r\nm:x\r\n");
    }
}
