package dev.outpost.edge.engine;

import java.util.List;

/** Creates engines by name. */
public final class Engines {
    /** The engine used when none is named. */
    public static final String DEFAULT = "graalwasm";

    private Engines() {}

    public static List<String> names() {
        return List.of("graalwasm", "chicory");
    }

    public static WasmEngine create(String name) {
        return switch (name) {
            case "chicory" -> new ChicoryEngine();
            case "graalwasm" -> new GraalWasmEngine();
            default ->
                throw new IllegalArgumentException(
                        "engine: " + name + " (expected: one of " + String.join(", ", names()) + ")");
        };
    }
}
