package dev.outpost.edge.engine;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/** Creates engines by name: the built-in ones, then any {@link WasmEngineProvider} on the class path. */
public final class Engines {
    /** The engine used when none is named. */
    public static final String DEFAULT = "graalwasm";

    private static final List<String> BUILT_IN = List.of("graalwasm", "chicory");

    private Engines() {}

    public static List<String> names() {
        List<String> names = new ArrayList<>(BUILT_IN);
        names.addAll(Providers.BY_NAME.keySet());
        return List.copyOf(names);
    }

    public static WasmEngine create(String name) {
        return switch (name) {
            case "chicory" -> new ChicoryEngine();
            case "graalwasm" -> new GraalWasmEngine();
            default -> {
                WasmEngineProvider provider = Providers.BY_NAME.get(name);
                if (provider == null) {
                    throw new IllegalArgumentException(
                            "engine: " + name + " (expected: one of " + String.join(", ", names()) + ")");
                }
                yield provider.create();
            }
        };
    }

    /** Looked up once, on first use of a name that is not built in. */
    private static final class Providers {
        static final Map<String, WasmEngineProvider> BY_NAME = load();

        private static Map<String, WasmEngineProvider> load() {
            Map<String, WasmEngineProvider> byName = new LinkedHashMap<>();
            for (WasmEngineProvider p : ServiceLoader.load(WasmEngineProvider.class)) {
                if (!BUILT_IN.contains(p.name())) {
                    byName.putIfAbsent(p.name(), p);
                }
            }
            return Collections.unmodifiableMap(byName);
        }
    }
}
