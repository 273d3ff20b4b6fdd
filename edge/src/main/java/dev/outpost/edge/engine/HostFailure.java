package dev.outpost.edge.engine;

import dev.outpost.edge.abi.GuestExit;
import dev.outpost.edge.abi.GuestTrapException;

/** Classifies what came out of a guest run, whatever the engine wrapped it in. */
final class HostFailure {
    private HostFailure() {}

    /** The {@link GuestExit} somewhere in the cause chain, or null. */
    static GuestExit exitIn(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof GuestExit exit) {
                return exit;
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return null;
    }

    /** The {@link GuestTrapException} somewhere in the cause chain, or null. */
    static GuestTrapException trapIn(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof GuestTrapException trap) {
                return trap;
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return null;
    }
}
