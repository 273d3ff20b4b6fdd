package dev.outpost.edge.engine;

import java.util.Optional;

/**
 * Runs Wasm modules. One engine per process and kind; it loads each app's module once, and the module makes a fresh
 * instance per request. Implementations adapt one runtime and keep its types to themselves.
 */
public interface WasmEngine extends AutoCloseable {
    /** Short name used in configuration and logs: {@code chicory}, {@code graalwasm}. */
    String name();

    /** How logs and banners name the engine: its name and, for a runtime with more than one mode, the one in use. */
    default String description() {
        return name();
    }

    /** What to tell the user at start when the engine runs below its best (say, without its JIT); else empty. */
    default Optional<String> startupAdvice() {
        return Optional.empty();
    }

    /** Parses and validates a module; {@code name} only labels it in messages. */
    WasmModule load(String name, byte[] wasm);

    @Override
    void close();
}
