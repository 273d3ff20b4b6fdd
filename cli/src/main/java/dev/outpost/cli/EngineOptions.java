package dev.outpost.cli;

import dev.outpost.edge.engine.Engines;
import picocli.CommandLine.Option;

/** {@code --engine} and {@code --memory-limit}, as {@code outpost serve} and {@code outpost run} take them. */
final class EngineOptions {
    @Option(
            names = "--engine",
            paramLabel = "ENGINE",
            defaultValue = Engines.DEFAULT,
            description = "Wasm engine: graalwasm or chicory. Default: ${DEFAULT-VALUE}.")
    String engine;

    @Option(
            names = "--memory-limit",
            paramLabel = "SIZE",
            defaultValue = "512MiB",
            converter = SizeConverter.class,
            description = "Linear memory one guest may grow to; past it the guest is stopped (and under serve its"
                    + " request gets 500). Default: ${DEFAULT-VALUE}.")
    long memoryLimit;

    /** What is wrong with the two, as a usage error names it; null when both are good. */
    String problem() {
        if (!Engines.names().contains(engine)) {
            return "--engine: " + engine + " (expected: one of " + Engines.names() + ")";
        }
        if (memoryLimit < (1L << 20)) {
            return "--memory-limit: " + memoryLimit + " bytes (expected: at least 1MiB)";
        }
        return null;
    }
}
