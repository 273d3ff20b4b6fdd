package dev.outpost.proxy.config;

import java.util.ArrayList;
import java.util.List;

/**
 * Pushpin's ZeroMQ inputs as {@code pushpin.conf} names them in {@code [handler]}: {@code push_in_spec} (PULL, publish
 * commands), {@code push_in_sub_specs} (SUB, published items; {@code push_in_sub_spec} before Pushpin 1.13) and
 * {@code command_spec} (REP, commands). The proxy does not serve them yet; this is the one place that reads them, so
 * serving them later starts here and every caller that now reports them follows.
 *
 * @param entries {@code key=value} as configured, in the order above; empty when none is set
 */
public record ZmqInputs(List<String> entries) {
    private static final List<String> KEYS =
            List.of("push_in_spec", "push_in_sub_specs", "push_in_sub_spec", "command_spec");

    public ZmqInputs {
        entries = List.copyOf(entries);
    }

    /** The inputs {@code config} names (its settings, as read from a pushpin.conf). */
    public static ZmqInputs of(ProxyConfig config) {
        List<String> entries = new ArrayList<>();
        for (String key : KEYS) {
            config.setting("handler/" + key)
                    .map(String::strip)
                    .filter(v -> !v.isEmpty())
                    .ifPresent(v -> entries.add(key + "=" + v));
        }
        return new ZmqInputs(entries);
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    /** One line saying that the configured inputs are not served, or null when none is configured. */
    public String notServedYet() {
        if (entries.isEmpty()) {
            return null;
        }
        return "ZeroMQ inputs are not served yet (" + String.join(", ", entries) + "): nothing listens there;"
                + " publish over HTTP instead (POST /publish/ on push_in_http_port)";
    }
}
