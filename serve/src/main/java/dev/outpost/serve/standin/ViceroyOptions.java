package dev.outpost.serve.standin;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Objects;

/**
 * What {@code viceroy [serve]} was asked to do, as the Fastly CLI asks it.
 *
 * @param wasm the program
 * @param manifest {@code -C}: the fastly.toml with {@code [local_server]}, or null (no backends or stores)
 * @param address {@code --addr}
 * @param pushpinProxyPort {@code --local-pushpin-proxy-port}: where Fanout handoffs go, or 0 when not given (a handoff
 *     then answers Viceroy's 500)
 * @param websocketPassthrough {@code --enable-local-websocket-passthrough}
 * @param engine the Wasm engine (an Outpost option)
 */
public record ViceroyOptions(
        Path wasm,
        Path manifest,
        InetSocketAddress address,
        int pushpinProxyPort,
        boolean websocketPassthrough,
        String engine) {

    public ViceroyOptions {
        Objects.requireNonNull(wasm, "wasm");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(engine, "engine");
        if (pushpinProxyPort < 0 || pushpinProxyPort > 65535) {
            throw new IllegalArgumentException("pushpinProxyPort: " + pushpinProxyPort + " (expected: 0-65535)");
        }
    }
}
