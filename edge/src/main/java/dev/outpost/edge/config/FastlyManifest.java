package dev.outpost.edge.config;

import java.util.Objects;

/**
 * What local serving reads from a {@code fastly.toml}.
 *
 * @param name the package name, or null
 * @param buildScript {@code [scripts] build}, or null
 * @param localServer {@code [local_server]}
 * @param pushpin {@code [local_server.pushpin]} (defaults when absent)
 */
public record FastlyManifest(String name, String buildScript, LocalServerConfig localServer, PushpinConfig pushpin) {
    public FastlyManifest {
        Objects.requireNonNull(localServer, "localServer");
        Objects.requireNonNull(pushpin, "pushpin");
    }

    public FastlyManifest(String name, String buildScript, LocalServerConfig localServer) {
        this(name, buildScript, localServer, PushpinConfig.defaults());
    }
}
