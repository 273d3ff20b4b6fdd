package dev.outpost.edge.config;

/**
 * What local serving reads from a {@code fastly.toml}.
 *
 * @param name the package name, or null
 * @param buildScript {@code [scripts] build}, or null
 * @param localServer {@code [local_server]}
 */
public record FastlyManifest(String name, String buildScript, LocalServerConfig localServer) {}
