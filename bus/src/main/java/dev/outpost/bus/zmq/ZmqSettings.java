package dev.outpost.bus.zmq;

import dev.outpost.proxy.config.ProxyConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Pushpin's ZeroMQ inputs as {@code pushpin.conf} names them in {@code [handler]}.
 *
 * @param pushInSpec       {@code push_in_spec}: a PULL socket for items, bound; or null
 * @param pushInSubSpecs   {@code push_in_sub_specs} ({@code push_in_sub_spec} before Pushpin 1.13): a SUB socket for
 *                         {@code [channel, item]} messages; empty for none
 * @param pushInSubConnect {@code push_in_sub_connect}: the SUB socket connects to publishers instead of binding
 * @param commandSpec      {@code command_spec}: a REP-style (ROUTER) socket for commands, bound; or null
 */
public record ZmqSettings(
        String pushInSpec, List<String> pushInSubSpecs, boolean pushInSubConnect, String commandSpec) {

    public ZmqSettings {
        pushInSubSpecs = List.copyOf(pushInSubSpecs);
        for (String s : all(pushInSpec, pushInSubSpecs, commandSpec)) {
            check(s);
        }
    }

    private static List<String> all(String pull, List<String> sub, String command) {
        List<String> out = new ArrayList<>(sub);
        if (pull != null) {
            out.add(pull);
        }
        if (command != null) {
            out.add(command);
        }
        return out;
    }

    private static void check(String spec) {
        if (!spec.matches("tcp://[^\\s/]+:[0-9]{1,5}") && !spec.startsWith("inproc://")) {
            throw new IllegalArgumentException("ZeroMQ spec '" + spec + "': not supported (expected: tcp://HOST:PORT;"
                    + (spec.startsWith("ipc://") ? " ipc:// works only between JeroMQ peers, so use tcp://" : "")
                    + ")");
        }
    }

    /** The inputs {@code config} names. */
    public static ZmqSettings from(ProxyConfig config) {
        String pull = single(config, "handler/push_in_spec");
        List<String> sub = list(config, "handler/push_in_sub_specs");
        if (sub.isEmpty()) {
            sub = list(config, "handler/push_in_sub_spec");
        }
        boolean connect = config.setting("handler/push_in_sub_connect")
                .map(v -> v.strip().toLowerCase(Locale.ROOT))
                .map(v -> v.equals("true") || v.equals("yes") || v.equals("on") || v.equals("1"))
                .orElse(false);
        String command = single(config, "handler/command_spec");
        return new ZmqSettings(pull, sub, connect, command);
    }

    private static String single(ProxyConfig config, String key) {
        return config.setting(key).map(String::strip).filter(v -> !v.isEmpty()).orElse(null);
    }

    private static List<String> list(ProxyConfig config, String key) {
        List<String> out = new ArrayList<>();
        config.setting(key).ifPresent(v -> {
            for (String s : v.split(",")) {
                if (!s.isBlank()) {
                    out.add(s.strip());
                }
            }
        });
        return out;
    }

    public boolean isEmpty() {
        return pushInSpec == null && pushInSubSpecs.isEmpty() && commandSpec == null;
    }

    /** True when the SUB input is on. */
    public boolean subscribes() {
        return !pushInSubSpecs.isEmpty();
    }
}
