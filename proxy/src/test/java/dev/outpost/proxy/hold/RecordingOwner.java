package dev.outpost.proxy.hold;

import dev.outpost.proxy.observe.ConnectionObserver;
import dev.outpost.proxy.pubsub.Drops;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A hold's surroundings for tests: its owner (records when the hold finished and the retries it asked for) and its
 * next-link source (records the fetches), answering as the test says; and the drops, observer and debug flag the
 * hold is given.
 */
final class RecordingOwner implements HoldOwner, NextStep.Source {
    final Drops drops = new Drops(new SimpleMeterRegistry());
    /** Null until the hold finished, then whether the connection may carry another request. */
    Boolean finished;
    /** Whether {@link #retry} takes the request over (else the hold stays). */
    boolean canRetry = true;
    /** Whether {@link #fetch} can follow links. */
    boolean canFetch = true;

    boolean debug;
    /** What the hold reports through (the fixture sets a recorder). */
    ConnectionObserver observer = ConnectionObserver.NOOP;

    final List<Map<String, String>> retries = new ArrayList<>();
    final List<Fetch> fetches = new ArrayList<>();
    /** Whether the hold let go of its links, and whether it said the client left. */
    boolean linksCancelled;

    boolean clientLeft;

    record Fetch(String link, Map<String, String> gripLast, NextStep.Listener to) {}

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
    public boolean fetch(String link, Map<String, String> gripLast, NextStep.Listener to) {
        if (!canFetch) {
            return false;
        }
        fetches.add(new Fetch(link, new LinkedHashMap<>(gripLast), to));
        return true;
    }

    @Override
    public void cancel() {
        linksCancelled = true;
    }

    @Override
    public void clientLeft() {
        linksCancelled = true;
        clientLeft = true;
    }
}
