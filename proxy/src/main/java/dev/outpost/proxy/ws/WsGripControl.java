package dev.outpost.proxy.ws;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.outpost.grip.control.ControlMessage;
import dev.outpost.grip.control.ControlMessageException;
import dev.outpost.grip.control.ControlMessageParser;
import dev.outpost.grip.publish.WsMessageType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A GRIP WebSocket's messages from the origin: each must carry the prefix the origin's {@code grip} extension named
 * (it is taken off; one without it is dropped), and {@code c:} text messages are control messages, carried out here
 * ({@code subscribe}, {@code unsubscribe}, {@code detach}, {@code set-meta}, {@code keep-alive},
 * {@code send-delayed}, {@code flush-delayed}). Off until {@link #enable}: then every origin message passes as is.
 */
final class WsGripControl {
    private static final Logger log = LoggerFactory.getLogger(WsGripControl.class);

    private final String uri;
    private final SessionControl session;
    private final WsOriginSide origin;
    private final WsSubscriptions subscriptions;
    private final WsTimers timers;

    private boolean on;
    private byte[] prefix = new byte[0];

    WsGripControl(
            String uri, SessionControl session, WsOriginSide origin, WsSubscriptions subscriptions, WsTimers timers) {
        this.uri = uri;
        this.session = session;
        this.origin = origin;
        this.subscriptions = subscriptions;
        this.timers = timers;
    }

    /** The origin speaks GRIP, with this message prefix (may be empty). */
    void enable(String messagePrefix) {
        on = true;
        prefix = messagePrefix.getBytes(StandardCharsets.UTF_8);
    }

    boolean enabled() {
        return on;
    }

    /** The message the client gets for origin message {@code m}, or null when there is none. */
    Msg fromOrigin(Msg m) {
        if (!on || !m.isData()) {
            return m;
        }
        if (m.type() == WsMessageType.TEXT && ControlMessageParser.isControl(m.data())) {
            control(m.data());
            return null;
        }
        if (prefix.length > 0) {
            if (!m.startsWith(prefix)) {
                log.debug(
                        "WebSocket {}: dropping origin message without the prefix {}",
                        uri,
                        new String(prefix, StandardCharsets.UTF_8));
                return null;
            }
            return m.dropPrefix(prefix.length);
        }
        return m;
    }

    private void control(byte[] data) {
        ControlMessage c;
        try {
            c = ControlMessageParser.parse(data);
        } catch (ControlMessageException e) {
            if (e.getMessage().startsWith("subscribe: filters: ")
                    && e.getMessage().contains("at most")) {
                log.info("WebSocket {}: {}", uri, e.getMessage());
                session.closeClient(1011, "too many filters for channel '" + channelOf(data) + "'");
                return;
            }
            log.debug("WebSocket {}: ignoring control message: {}", uri, e.getMessage());
            return;
        }
        switch (c) {
            case ControlMessage.Subscribe s -> subscriptions.subscribe(s.channel(), s.filters());
            case ControlMessage.Unsubscribe u -> {
                // the target's own sub= channels stay
                if (!origin.target().subs().contains(u.channel())) {
                    subscriptions.unsubscribe(u.channel());
                }
            }
            case ControlMessage.Detach d -> origin.detach();
            case ControlMessage.SetMeta sm -> subscriptions.setMeta(sm.name(), sm.value());
            case ControlMessage.KeepAlive k -> timers.keepAlive(k);
            case ControlMessage.SendDelayed sd -> timers.sendDelayed(sd);
            case ControlMessage.FlushDelayed fd -> timers.flushDelayed();
            case ControlMessage.Session s -> {
                // session tracking needs a state service Outpost does not have
            }
        }
    }

    private static String channelOf(byte[] control) {
        try {
            return new ObjectMapper()
                    .readTree(control, 2, control.length - 2)
                    .path("channel")
                    .asText("");
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }
}
