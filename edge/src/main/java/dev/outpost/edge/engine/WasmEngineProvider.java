package dev.outpost.edge.engine;

/**
 * An engine found on the class path ({@link java.util.ServiceLoader}, {@code
 * META-INF/services/dev.outpost.edge.engine.WasmEngineProvider}), next to the built-in ones. The benchmarks plug a
 * native reference engine in this way; Outpost itself ships none.
 */
public interface WasmEngineProvider {
    /** The name {@code --engine} selects it by; must not be a built-in engine's name. */
    String name();

    WasmEngine create();
}
