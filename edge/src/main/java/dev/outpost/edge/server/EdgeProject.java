package dev.outpost.edge.server;

import dev.outpost.edge.config.FastlyManifest;
import dev.outpost.edge.config.FastlyTomlParser;
import dev.outpost.edge.config.LocalServerConfig;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A Compute project laid out as Fastly documents it: {@code fastly.toml}, {@code src/}, {@code bin/main.wasm}.
 *
 * @param dir the project folder
 * @param manifest its {@code fastly.toml}, or null when it has none
 * @param wasm the program to serve
 */
public record EdgeProject(Path dir, FastlyManifest manifest, Path wasm) {
    public static final String DEFAULT_WASM = "bin/main.wasm";

    /**
     * Reads a project.
     *
     * @param manifest a {@code fastly.toml} to use instead of {@code dir/fastly.toml}, or null
     * @param wasm a program to use instead of {@code dir/bin/main.wasm}, or null
     * @throws dev.outpost.edge.config.FastlyTomlException when the manifest has a mistake
     */
    public static EdgeProject open(Path dir, Path manifest, Path wasm) {
        Path toml = manifest != null ? manifest : dir.resolve("fastly.toml");
        FastlyManifest parsed = manifest != null || Files.isRegularFile(toml) ? FastlyTomlParser.read(toml) : null;
        return new EdgeProject(dir, parsed, wasm != null ? wasm : dir.resolve(DEFAULT_WASM));
    }

    /** The {@code [scripts] build} command, or null. */
    public String buildScript() {
        return manifest != null ? manifest.buildScript() : null;
    }

    public LocalServerConfig localServer() {
        return manifest != null ? manifest.localServer() : LocalServerConfig.empty();
    }

    /** Server options with this project's program and {@code [local_server]}, other options at their defaults. */
    public EdgeConfig config() {
        return EdgeConfig.of(wasm).withLocalServer(localServer());
    }
}
