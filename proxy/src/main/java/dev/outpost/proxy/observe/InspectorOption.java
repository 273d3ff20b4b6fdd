package dev.outpost.proxy.observe;

import dev.outpost.proxy.config.ProxyConfig;
import java.util.Map;

/**
 * {@code --inspector-port [ADDR:]PORT|0|off}, shared by {@code outpost proxy} and {@code outpost serve}.
 *
 * @param host the address to bind, or null for the default (127.0.0.1)
 * @param port the port (0: a free one), or -1 when off
 * @param given false when the option was absent (the default applies)
 */
public record InspectorOption(String host, int port, boolean given) {
    public static final int DEFAULT_PORT = 7998;
    public static final InspectorOption DEFAULT = new InspectorOption(null, DEFAULT_PORT, false);
    public static final InspectorOption OFF = new InspectorOption(null, -1, true);

    /** Parses the option as typed; null means it was not given. */
    public static InspectorOption parse(String value) {
        return parse(value, DEFAULT_PORT);
    }

    /** As {@link #parse(String)}, with another port when the option was not given ({@code outpost serve}'s). */
    public static InspectorOption parse(String value, int defaultPort) {
        if (value == null) {
            return new InspectorOption(null, defaultPort, false);
        }
        String v = value.trim();
        if (v.equalsIgnoreCase("off")) {
            return OFF;
        }
        int colon = v.lastIndexOf(':');
        String portText = colon >= 0 ? v.substring(colon + 1) : v;
        String host = colon >= 0 ? v.substring(0, colon) : null;
        if (host != null && host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int p;
        try {
            p = Integer.parseInt(portText);
        } catch (NumberFormatException e) {
            p = -1;
        }
        if (p < 0 || p > 65535 || (host != null && host.isEmpty())) {
            throw new IllegalArgumentException(
                    "--inspector-port: '" + value + "' (expected: PORT or ADDR:PORT, PORT 0-65535, or off)");
        }
        return new InspectorOption(host, p, true);
    }

    public boolean off() {
        return port < 0;
    }

    /**
     * Puts the option into the settings {@link InspectorSettings} reads. Absent, it leaves a configured
     * {@code prometheus_port} in charge and otherwise turns the default on.
     */
    public void applyTo(ProxyConfig.Builder b) {
        Map<String, String> s = b.settings();
        if (!given) {
            if (!s.containsKey("proxy/prometheus_port") && !s.containsKey("handler/prometheus_port")) {
                b.setting(InspectorSettings.PORT, Integer.toString(port));
            }
            return;
        }
        if (off()) {
            b.setting(InspectorSettings.PORT, "off");
            return;
        }
        b.setting(InspectorSettings.PORT, Integer.toString(port));
        if (host != null) {
            b.setting(InspectorSettings.HOST, host);
        }
    }
}
