package dev.outpost.edge.engine;

/**
 * Runs Wasm modules. One engine per process and kind; it loads each app's module once, and the module makes a fresh
 * instance per request. Implementations adapt one runtime and keep its types to themselves.
 */
public interface WasmEngine extends AutoCloseable {
    /** Short name used in configuration and logs: {@code chicory}, {@code graalwasm}. */
    String name();

    /** Parses and validates a module; {@code name} only labels it in messages. */
    WasmModule load(String name, byte[] wasm);

    @Override
    void close();
}
