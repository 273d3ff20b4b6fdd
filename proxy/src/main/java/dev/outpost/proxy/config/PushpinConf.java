package dev.outpost.proxy.config;

import java.nio.file.Path;
import java.util.function.Consumer;

/** Reads Pushpin's {@code pushpin.conf} (INI) into a {@link ProxyConfig.Builder}. */
public final class PushpinConf {
    private PushpinConf() {
    }

    public static ProxyConfig.Builder load(Path file, Consumer<String> warn) throws ConfigException {
        throw new ConfigException(file + ": not implemented yet");
    }
}
