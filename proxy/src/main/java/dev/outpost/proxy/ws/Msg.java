package dev.outpost.proxy.ws;

import dev.outpost.grip.publish.WsMessageType;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.nio.charset.StandardCharsets;

/** One whole WebSocket message (or control frame) between the session and an origin leg. */
record Msg(WsMessageType type, byte[] data) {

    static Msg text(String s) {
        return new Msg(WsMessageType.TEXT, s.getBytes(StandardCharsets.UTF_8));
    }

    /** The message a whole (aggregated) frame carries, or null for a close or continuation frame. */
    static Msg of(WebSocketFrame f) {
        WsMessageType t;
        if (f instanceof TextWebSocketFrame) {
            t = WsMessageType.TEXT;
        } else if (f instanceof BinaryWebSocketFrame) {
            t = WsMessageType.BINARY;
        } else if (f instanceof PingWebSocketFrame) {
            t = WsMessageType.PING;
        } else if (f instanceof PongWebSocketFrame) {
            t = WsMessageType.PONG;
        } else {
            return null;
        }
        return new Msg(t, ByteBufUtil.getBytes(f.content()));
    }

    /** This message as one unfragmented frame. */
    WebSocketFrame frame() {
        ByteBuf b = Unpooled.wrappedBuffer(data);
        return switch (type) {
            case TEXT -> new TextWebSocketFrame(b);
            case BINARY -> new BinaryWebSocketFrame(b);
            case PING -> new PingWebSocketFrame(b);
            case PONG -> new PongWebSocketFrame(b);
        };
    }

    boolean isData() {
        return type == WsMessageType.TEXT || type == WsMessageType.BINARY;
    }

    boolean startsWith(byte[] prefix) {
        if (data.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (data[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    Msg dropPrefix(int n) {
        byte[] b = new byte[data.length - n];
        System.arraycopy(data, n, b, 0, b.length);
        return new Msg(type, b);
    }
}
