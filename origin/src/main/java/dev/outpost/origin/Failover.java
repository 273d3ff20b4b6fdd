package dev.outpost.origin;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Targets tried in order, each at most once, with the names of those tried so far: the error when none answered
 * says which ("Unable to connect to any targets. Tried: …", Pushpin's words). Not thread-safe: one user.
 *
 * @param <T> a target (an {@link Endpoint}, or a caller's own type)
 */
public final class Failover<T> {
    private final ArrayDeque<T> left;
    private final Function<? super T, String> name;
    private final List<String> tried = new ArrayList<>(2);

    /** {@code name} says how a target appears in messages. */
    public Failover(List<? extends T> targets, Function<? super T, String> name) {
        this.left = new ArrayDeque<>(targets);
        this.name = name;
    }

    /** The next target, now counted as tried; null when none is left. */
    public T next() {
        T t = left.poll();
        if (t != null) {
            tried.add(name.apply(t));
        }
        return t;
    }

    /** Starts over with {@code targets} (a retry of the whole request); the names tried so far are kept. */
    public void again(List<? extends T> targets) {
        left.clear();
        left.addAll(targets);
    }

    /** The name of the target tried last, or {@code ?} before the first. */
    public String lastTried() {
        return tried.isEmpty() ? "?" : tried.get(tried.size() - 1);
    }

    /** Whether any target was tried. */
    public boolean started() {
        return !tried.isEmpty();
    }

    /** What is said when every target failed. */
    public String exhausted() {
        return "Unable to connect to any targets. Tried: " + String.join(", ", tried);
    }
}
