package dev.outpost.bus.zmq;

import dev.outpost.grip.publish.PublishAction;
import dev.outpost.grip.publish.PublishFormatException;
import dev.outpost.grip.publish.PublishItem;
import dev.outpost.grip.publish.PublishParser;
import dev.outpost.grip.publish.WsMessageFormat;
import dev.outpost.grip.publish.WsMessageType;
import dev.outpost.grip.tnet.PushMessage;
import dev.outpost.proxy.pubsub.ChannelHub;
import dev.outpost.proxy.pubsub.Delivery;
import dev.outpost.proxy.pubsub.DeliveryFormat;
import dev.outpost.proxy.pubsub.Subscriber;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pushpin's command socket methods ({@code handlerengine.cpp}, {@code controlServer_requestReady}), answered as its
 * ZRPC server does: a tnetstring map {@code {id, success, value}} or {@code {id, success: false, condition, value}}.
 *
 * <ul>
 *   <li>{@code publish {items}}: answered once the hub has taken the items (so a bus that cannot take them answers
 *       {@code bus-unavailable} instead of success);
 *   <li>{@code recover}: forgets last IDs and updates this node's sessions;
 *   <li>{@code refresh {cid} | {channel}}: WebSocket-over-HTTP sessions ask their origin again;
 *   <li>{@code conncheck {ids}}: which of the connection ids have a live session subscribed here;
 *   <li>{@code get-zmq-uris}: the specs of the inputs.
 * </ul>
 */
final class Commands {
    private static final Logger log = LoggerFactory.getLogger(Commands.class);

    private final ChannelHub hub;
    private final ZmqSettings settings;

    Commands(ChannelHub hub, ZmqSettings settings) {
        this.hub = hub;
        this.settings = settings;
    }

    /** The answer to one request's tnetstring value; {@code reply} gets it, possibly later and on another thread. */
    void handle(Object request, Consumer<Map<String, Object>> reply) {
        if (!(request instanceof Map<?, ?> req) || !(req.get("method") instanceof byte[] m)) {
            log.warn("command: request is not a map with a 'method', skipped");
            return;
        }
        Object id = req.get("id") instanceof byte[] b ? b : null;
        Object a = req.get("args");
        Map<?, ?> args = a instanceof Map<?, ?> am ? am : Map.of();
        if (a != null && !(a instanceof Map<?, ?>)) {
            log.warn("command: 'args' is not a map, skipped");
            return;
        }
        String method = new String(m, StandardCharsets.UTF_8);
        log.debug("command: {}", method);
        switch (method) {
            case "publish" -> publish(id, args, reply);
            case "recover" -> {
                hub.recover();
                reply.accept(success(id, null));
            }
            case "refresh" -> reply.accept(refresh(id, args));
            case "conncheck" -> reply.accept(conncheck(id, args));
            case "get-zmq-uris" -> reply.accept(success(id, uris()));
            default -> reply.accept(error(id, "method-not-found", null));
        }
    }

    private void publish(Object id, Map<?, ?> args, Consumer<Map<String, Object>> reply) {
        if (!args.containsKey("items")) {
            reply.accept(error(id, "bad-request", "Invalid format: object does not contain 'items'"));
            return;
        }
        if (!(args.get("items") instanceof List<?> vitems)) {
            reply.accept(error(id, "bad-request", "Invalid format: object contains 'items' with wrong type"));
            return;
        }
        List<PublishItem> items = new ArrayList<>();
        for (int i = 0; i < vitems.size(); i++) {
            try {
                items.add(PublishParser.parseItem(PushMessage.toJson(vitems.get(i)), "items[" + i + "]"));
            } catch (PublishFormatException e) {
                String msg = e.getMessage();
                reply.accept(
                        error(id, "bad-request", msg.startsWith("Invalid format") ? msg : "Invalid format: " + msg));
                return;
            }
        }
        CompletionStage<Void> done = hub.publish(items);
        done.whenComplete((ok, err) -> {
            if (err == null) {
                reply.accept(success(id, null));
            } else {
                Throwable c = err.getCause() != null ? err.getCause() : err;
                log.warn("command publish: {} item(s) not published: {}", items.size(), c.getMessage());
                reply.accept(error(id, "bus-unavailable", "not published: " + c.getMessage()));
            }
        });
    }

    private Map<String, Object> refresh(Object id, Map<?, ?> args) {
        if (args.get("cid") instanceof byte[] cid) {
            String want = new String(cid, StandardCharsets.UTF_8);
            boolean found = false;
            Set<Subscriber> done = new LinkedHashSet<>();
            for (String channel : hub.channels()) {
                for (Subscriber s : hub.subscribers(channel)) {
                    if (want.equals(s.connectionId()) && s.format() == DeliveryFormat.WS_MESSAGE && done.add(s)) {
                        refresh(s, channel);
                        found = true;
                    }
                }
            }
            return found ? success(id, null) : error(id, "item-not-found", null);
        }
        if (args.get("channel") instanceof byte[] ch) {
            String channel = new String(ch, StandardCharsets.UTF_8);
            for (Subscriber s : hub.subscribers(channel)) {
                if (s.format() == DeliveryFormat.WS_MESSAGE) {
                    refresh(s, channel);
                }
            }
            return success(id, null);
        }
        return error(id, "bad-request", null);
    }

    /** A WebSocket session's {@code refresh} action, delivered to it alone and never put on a bus. */
    private static void refresh(Subscriber s, String channel) {
        PublishItem item = new PublishItem(
                channel,
                null,
                null,
                Map.of(),
                null,
                null,
                new WsMessageFormat(PublishAction.REFRESH, WsMessageType.TEXT, new byte[0], -1, "", List.of()),
                true);
        try {
            s.executor().execute(() -> {
                try (Delivery d = Delivery.of(channel, item, DeliveryFormat.WS_MESSAGE)) {
                    s.deliver(d);
                }
            });
        } catch (RejectedExecutionException e) {
            // the session's loop is gone
        }
    }

    private Map<String, Object> conncheck(Object id, Map<?, ?> args) {
        if (!(args.get("ids") instanceof List<?> ids)) {
            return error(id, "bad-request", null);
        }
        Set<String> asked = new LinkedHashSet<>();
        for (Object o : ids) {
            if (!(o instanceof byte[] b)) {
                return error(id, "bad-request", null);
            }
            asked.add(new String(b, StandardCharsets.UTF_8));
        }
        Set<String> live = new LinkedHashSet<>();
        for (String channel : hub.channels()) {
            for (Subscriber s : hub.subscribers(channel)) {
                if (asked.contains(s.connectionId())) {
                    live.add(s.connectionId());
                }
            }
        }
        List<Object> out = new ArrayList<>();
        for (String c : asked) {
            if (live.contains(c)) {
                out.add(c.getBytes(StandardCharsets.UTF_8));
            }
        }
        return success(id, out);
    }

    private Map<String, Object> uris() {
        Map<String, Object> out = new LinkedHashMap<>();
        if (settings.commandSpec() != null) {
            out.put("command", settings.commandSpec().getBytes(StandardCharsets.UTF_8));
        }
        if (settings.pushInSpec() != null) {
            out.put("publish-pull", settings.pushInSpec().getBytes(StandardCharsets.UTF_8));
        }
        if (!settings.pushInSubSpecs().isEmpty() && !settings.pushInSubConnect()) {
            out.put("publish-sub", settings.pushInSubSpecs().getFirst().getBytes(StandardCharsets.UTF_8));
        }
        return out;
    }

    static Map<String, Object> success(Object id, Object value) {
        Map<String, Object> r = new LinkedHashMap<>();
        if (id != null) {
            r.put("id", id);
        }
        r.put("success", true);
        r.put("value", value);
        return r;
    }

    static Map<String, Object> error(Object id, String condition, String value) {
        Map<String, Object> r = new LinkedHashMap<>();
        if (id != null) {
            r.put("id", id);
        }
        r.put("success", false);
        r.put("condition", condition.getBytes(StandardCharsets.UTF_8));
        if (value != null) {
            r.put("value", value.getBytes(StandardCharsets.UTF_8));
        }
        return r;
    }
}
