package dev.outpost.proxy.ws;

import dev.outpost.grip.publish.WsMessageType;
import java.nio.charset.StandardCharsets;

/** One whole WebSocket message (or control frame) between the session and an origin leg. */
record Msg(WsMessageType type, byte[] data) {

    static Msg text(String s) {
        return new Msg(WsMessageType.TEXT, s.getBytes(StandardCharsets.UTF_8));
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
