package dev.outpost.edge.engine;

import dev.outpost.edge.abi.Hostcall;

/** Supplies the host implementation of each function a module imports. */
@FunctionalInterface
public interface ImportResolver {
    /** Never null: an import the host does not know gets a stub. */
    Hostcall resolve(WasmModule.FunctionImport function);

    /** {@code function} is the module's import number {@code index}; a resolver may find it by that. */
    default Hostcall resolve(int index, WasmModule.FunctionImport function) {
        return resolve(function);
    }
}
