package dev.outpost.edge.config;

/**
 * {@code [local_server.pushpin]} of a {@code fastly.toml}, read as the Fastly CLI reads it (the CLI, not Viceroy, owns
 * this table). A port of 0 in the file means "the default".
 *
 * @param enable whether {@code serve} runs a GRIP proxy for Fanout handoffs
 * @param pushpinPath an external Pushpin binary to run instead of the in-process proxy, or null
 * @param proxyPort the proxy's client port (default 7677)
 * @param publishPort the proxy's HTTP publish port (default 5561)
 */
public record PushpinConfig(boolean enable, String pushpinPath, int proxyPort, int publishPort) {
    public static final int DEFAULT_PROXY_PORT = 7677;
    public static final int DEFAULT_PUBLISH_PORT = 5561;

    public PushpinConfig {
        if (proxyPort < 1 || proxyPort > 65535) {
            throw new IllegalArgumentException("proxy_port: " + proxyPort + " (expected: 1-65535)");
        }
        if (publishPort < 1 || publishPort > 65535) {
            throw new IllegalArgumentException("publish_port: " + publishPort + " (expected: 1-65535)");
        }
    }

    /** No table: disabled, default ports. */
    public static PushpinConfig defaults() {
        return new PushpinConfig(false, null, DEFAULT_PROXY_PORT, DEFAULT_PUBLISH_PORT);
    }
}
