package dev.outpost.junit;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/** The last lines Outpost logged (or printed) while an extension ran: bounded, thread-safe, numbered. */
final class LogBuffer {
    private final int max;
    private final Deque<String> lines = new ArrayDeque<>();
    private long count;

    LogBuffer(int max) {
        this.max = max;
    }

    synchronized void add(String line) {
        if (lines.size() == max) {
            lines.removeFirst();
        }
        lines.addLast(line);
        count++;
    }

    /** How many lines were ever added: a mark for {@link #since(long)}. */
    synchronized long mark() {
        return count;
    }

    /** The kept lines added after {@code mark}. */
    synchronized List<String> since(long mark) {
        long fresh = count - mark;
        List<String> all = new ArrayList<>(lines);
        return fresh >= all.size() ? all : all.subList((int) (all.size() - fresh), all.size());
    }

    /** The last {@code n} kept lines. */
    synchronized List<String> last(int n) {
        List<String> all = new ArrayList<>(lines);
        return all.subList(Math.max(0, all.size() - n), all.size());
    }
}
