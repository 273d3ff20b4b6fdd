package dev.outpost.proxy.server;

import dev.outpost.proxy.config.ProxyConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The TLS listeners a configuration asks for: Pushpin's {@code [runner] https_ports} (a comma list of {@code PORT}
 * or {@code ADDR:PORT}; a bare port binds the client listener's address) and the certificates directory, Outpost's
 * {@code [runner] certs_dir}, by default {@code runner/certs} next to {@code pushpin.conf} as in Pushpin.
 */
public record TlsListeners(List<Address> addresses, Path certsDir) {
    /** The setting naming the ports, as Pushpin names it. */
    public static final String PORTS = "runner/https_ports";
    /** The certificates directory (an absolute path once the configuration file is read). */
    public static final String CERTS_DIR = "runner/certs_dir";

    /** One listener's address; port 0 picks a free port. */
    public record Address(String host, int port) {}

    public TlsListeners {
        addresses = List.copyOf(addresses);
    }

    /** What {@code config} asks for; no addresses when it sets no {@code https_ports}. */
    public static TlsListeners of(ProxyConfig config) {
        List<Address> out = new ArrayList<>();
        for (String part : config.setting(PORTS).orElse("").split(",")) {
            if (!part.isBlank()) {
                out.add(parse(part.strip(), config.httpHost()));
            }
        }
        String dir = config.setting(CERTS_DIR).map(String::strip).orElse("");
        return new TlsListeners(
                out, Path.of(dir.isEmpty() ? "runner/certs" : dir).toAbsolutePath());
    }

    /**
     * {@code PORT}, {@code ADDR:PORT} or {@code [IPv6]:PORT}.
     *
     * @throws IllegalArgumentException with the expectation
     */
    public static Address parse(String value, String defaultHost) {
        String host = defaultHost;
        String port = value;
        if (value.startsWith("[")) {
            int close = value.indexOf(']');
            if (close < 0 || close + 1 >= value.length() || value.charAt(close + 1) != ':') {
                throw new IllegalArgumentException(value + " (expected: PORT, ADDR:PORT or [IPv6]:PORT)");
            }
            host = value.substring(1, close);
            port = value.substring(close + 2);
        } else if (value.indexOf(':') >= 0) {
            int colon = value.lastIndexOf(':');
            if (value.indexOf(':') != colon) {
                throw new IllegalArgumentException(value + " (expected: an IPv6 address in brackets, [::1]:PORT)");
            }
            host = value.substring(0, colon);
            port = value.substring(colon + 1);
            if (host.equals("*")) {
                host = "0.0.0.0";
            }
        }
        if (!port.matches("[0-9]{1,5}") || Integer.parseInt(port) > 65535 || host.isEmpty()) {
            throw new IllegalArgumentException(value + " (expected: PORT 0-65535 or ADDR:PORT)");
        }
        return new Address(host, Integer.parseInt(port));
    }
}
