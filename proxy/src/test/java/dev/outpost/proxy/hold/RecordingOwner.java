package dev.outpost.proxy.hold;

import dev.outpost.proxy.observe.ConnectionObserver;
import dev.outpost.proxy.pubsub.Drops;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A hold's owner for tests: records when the hold finished, the retries and next-link fetches it asked for, and
 * answers them as the test says.
 */
final class RecordingOwner implements HoldOwner {
    final Drops drops = new Drops(new SimpleMeterRegistry());
    /** Null until the hold finished, then whether the connection may carry another request. */
    Boolean finished;
    /** Whether {@link #retry} takes the request over (else the hold stays). */
    boolean canRetry = true;
    /** Whether {@link #fetchNext} can follow links. */
    boolean canFetch = true;

    boolean debug;
    /** What the hold reports through (the fixture sets a recorder). */
    ConnectionObserver observer = ConnectionObserver.NOOP;

    final List<Map<String, String>> retries = new ArrayList<>();
    final List<Fetch> fetches = new ArrayList<>();

    record Fetch(String link, Map<String, String> gripLast, NextStep.Listener to) {}

    @Override
    public ConnectionObserver observer() {
        return observer;
    }

    @Override
    public void holdFinished(boolean keepAlive) {
        finished = keepAlive;
    }

    @Override
    public boolean retry(Map<String, String> gripLast) {
        retries.add(new LinkedHashMap<>(gripLast));
        return canRetry;
    }

    @Override
    public boolean fetchNext(String link, Map<String, String> gripLast, NextStep.Listener to) {
        if (!canFetch) {
            return false;
        }
        fetches.add(new Fetch(link, new LinkedHashMap<>(gripLast), to));
        return true;
    }

    @Override
    public String connectionId() {
        return "test-conn";
    }

    @Override
    public Drops drops() {
        return drops;
    }

    @Override
    public boolean debug() {
        return debug;
    }
}
