package dev.outpost.edge.engine;

import java.util.List;

/** A loaded module, shared by every request of one app. Thread-safe: instances may be made concurrently. */
public interface WasmModule extends AutoCloseable {
    /** The module's function imports, in import order. */
    List<FunctionImport> imports();

    /** Links every function import through {@code resolver} and instantiates the module. */
    WasmInstance instantiate(ImportResolver resolver);

    /** Instances made by {@link #instantiate} and not yet closed. */
    default int instancesInUse() {
        return 0;
    }

    /** Instances made by {@link #instantiate} so far. */
    default long instancesTaken() {
        return 0;
    }

    /** Instances taken again after serving an earlier request, reset in between to the state of a new one. */
    default long instancesReused() {
        return 0;
    }

    @Override
    void close();

    /** One imported function: where it comes from and its arity. */
    record FunctionImport(String module, String name, int paramCount, int resultCount) {
        public String qualifiedName() {
            return module + "." + name;
        }
    }
}
