package dev.outpost.proxy.pubsub;

import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * Paces deliveries at {@code message_rate} per second (Pushpin's handler setting): a token bucket holding up to a
 * tenth of a second's worth (at least one), and a queue of deliveries waiting for a token. Past {@code message_hwm}
 * waiting deliveries, {@link #offer} refuses more.
 *
 * <p>A value: no threads and no clock; every call takes {@code now} in nanoseconds (any monotonic scale) and
 * {@link #nanosUntilNext} says when to call {@link #release} again. Not thread-safe: its owner guards it.
 *
 * @param <T> a waiting delivery
 */
public final class Pacer<T> {
    private final int rate;
    private final int hwm;
    private final double burst;
    private final ArrayDeque<T> waiting = new ArrayDeque<>();
    private double tokens;
    private long tokensAt;

    /**
     * @param rate {@code message_rate}: deliveries per second, &gt; 0
     * @param hwm  {@code message_hwm}: waiting deliveries at most, or &lt;= 0 for no limit
     * @param now  the current time; the bucket starts full
     */
    public Pacer(int rate, int hwm, long now) {
        if (rate <= 0) {
            throw new IllegalArgumentException("rate: " + rate + " (expected: > 0)");
        }
        this.rate = rate;
        this.hwm = hwm;
        this.burst = Math.max(1, rate / 10.0);
        this.tokens = burst;
        this.tokensAt = now;
    }

    public int rate() {
        return rate;
    }

    public int hwm() {
        return hwm;
    }

    /** Queues {@code delivery}; false (nothing queued) when {@code message_hwm} deliveries already wait. */
    public boolean offer(T delivery) {
        if (hwm > 0 && waiting.size() >= hwm) {
            return false;
        }
        waiting.add(delivery);
        return true;
    }

    /** Hands {@code out} as many waiting deliveries as the tokens earned by {@code now} allow, oldest first. */
    public void release(long now, Consumer<? super T> out) {
        tokens = Math.min(burst, tokens + (now - tokensAt) * rate / 1e9);
        tokensAt = now;
        while (tokens >= 1 && !waiting.isEmpty()) {
            tokens -= 1;
            out.accept(waiting.poll());
        }
    }

    /**
     * How long until the next token, when deliveries wait (at least a millisecond, so that a timer does not spin); -1
     * when none waits.
     */
    public long nanosUntilNext() {
        if (waiting.isEmpty()) {
            return -1;
        }
        long wait = (long) Math.ceil((1 - tokens) * 1e9 / rate);
        return Math.max(1_000_000L, wait);
    }

    /** Deliveries waiting for a token. */
    public int waiting() {
        return waiting.size();
    }

    /** Hands every waiting delivery to {@code discard} and forgets them. */
    public void clear(Consumer<? super T> discard) {
        T t;
        while ((t = waiting.poll()) != null) {
            discard.accept(t);
        }
    }
}
