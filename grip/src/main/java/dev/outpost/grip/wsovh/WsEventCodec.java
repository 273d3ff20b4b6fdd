package dev.outpost.grip.wsovh;

import java.util.List;

/** The {@code application/websocket-events} body format. */
public final class WsEventCodec {
    public static final String CONTENT_TYPE = "application/websocket-events";

    private WsEventCodec() {
    }

    public static byte[] encode(List<WsEvent> events) {
        throw new UnsupportedOperationException("not yet");
    }

    public static List<WsEvent> decode(byte[] body) throws WsEventException {
        throw new WsEventException("not yet");
    }
}
