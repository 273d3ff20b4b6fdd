package dev.outpost.edge.engine;

import dev.outpost.edge.abi.Hostcall;
import java.util.List;

/**
 * A module whose instances come from an {@link InstancePool}: a request's hostcalls, resolved in import order, are
 * bound into an instance the pool made ahead (or reset). What both engines share; each makes its own instances.
 */
abstract class PooledModule implements WasmModule {
    private InstancePool pool;

    /**
     * Set once by the engine's constructor, after its own fields: the pool may make an instance at once, with them.
     */
    final void pool(InstancePool pool) {
        this.pool = pool;
    }

    @Override
    public final WasmInstance instantiate(ImportResolver resolver) {
        List<FunctionImport> imports = imports();
        Hostcall[] hostcalls = new Hostcall[imports.size()];
        for (int i = 0; i < hostcalls.length; i++) {
            hostcalls[i] = resolver.resolve(i, imports.get(i));
        }
        return pool.take(hostcalls);
    }

    @Override
    public final int instancesInUse() {
        return pool.inUse();
    }

    @Override
    public final long instancesTaken() {
        return pool.taken();
    }

    @Override
    public final long instancesReused() {
        return pool.reused();
    }

    @Override
    public void close() {
        pool.close();
    }
}
