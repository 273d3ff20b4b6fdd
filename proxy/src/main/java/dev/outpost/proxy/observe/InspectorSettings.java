package dev.outpost.proxy.observe;

import dev.outpost.proxy.config.ProxyConfig;

/**
 * Where the metrics and inspector listener goes, from the configuration's settings: {@code outpost/inspector_port}
 * (set by {@code outpost proxy --inspector-port}), else Pushpin's {@code prometheus_port} ({@code proxy/} or
 * {@code handler/}); absent or {@code off} means off, 0 a free port. {@code outpost/inspector_host} (default 127.0.0.1) is the
 * address; {@code prometheus_prefix} goes in front of every metric name.
 */
public final class InspectorSettings {
    public static final String PORT = "outpost/inspector_port";
    public static final String HOST = "outpost/inspector_host";

    private InspectorSettings() {}

    /** The port to listen on, or null when the listener is off. */
    public static Integer port(ProxyConfig c) {
        for (String key : new String[] {PORT, "proxy/prometheus_port", "handler/prometheus_port"}) {
            String v = c.setting(key).map(String::trim).orElse("");
            if (v.isEmpty()) {
                continue;
            }
            if (v.equalsIgnoreCase("off")) {
                return null;
            }
            try {
                int p = Integer.parseInt(v);
                if (p < 0 || p > 65535) {
                    throw new NumberFormatException();
                }
                return p;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(key + ": " + v + " (expected: port number 0-65535)");
            }
        }
        return null;
    }

    public static String host(ProxyConfig c) {
        return c.setting(HOST).map(String::trim).filter(s -> !s.isEmpty()).orElse("127.0.0.1");
    }

    public static String prefix(ProxyConfig c) {
        return c.setting("proxy/prometheus_prefix")
                .or(() -> c.setting("handler/prometheus_prefix"))
                .map(String::trim)
                .orElse("");
    }
}
