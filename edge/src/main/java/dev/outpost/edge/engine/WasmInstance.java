package dev.outpost.edge.engine;

import dev.outpost.edge.abi.GuestTrapException;

/**
 * One instance of a module: used by one request on one thread, then dropped, or reset to a new one's state and used
 * by a later request (see {@link InstancePool}).
 */
public interface WasmInstance extends AutoCloseable {
    /**
     * Runs the exported {@code _start}. Returns normally when it returns or the guest calls {@code proc_exit} (the exit
     * code is returned); throws {@link GuestTrapException} when the guest traps or a hostcall fails fatally.
     */
    int runStart();

    /** Stops a running {@link #runStart()} from another thread; it then throws {@link GuestTrapException}. */
    void cancel();

    @Override
    void close();
}
