package dev.outpost.edge.engine;

import dev.outpost.edge.abi.Hostcall;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Instantiates a module ahead of the requests that will use it, on a thread of its own, so a request does not wait
 * for instantiation (several milliseconds for a JS app: linking 13,000 functions and copying the initial heap).
 * Instantiating runs no guest code (modules with a start function are not pooled) and calls no import, so nothing a
 * request could observe happens early: the request's hostcalls are bound when it takes the instance.
 *
 * <p>An instance whose engine can put it back to the state of a new one ({@link Blank#reset}) is reset when its
 * request is done with it and kept for the next request, instead of being dropped; each request still sees fresh
 * state. Only an instance whose run ended normally or through {@code proc_exit} is reset: one that trapped, was
 * cancelled or failed in a hostcall is dropped.
 *
 * <p>Instances kept after a burst of requests are dropped once idle for {@link #IDLE_PROPERTY} seconds, down to what
 * the pool keeps ready (the one for the next request and the one made ahead, once instances are reset): each holds
 * its linear memory (7.3 MiB for a JS app). The instance a request takes is the one put back last, so the ones left
 * idle are those a steady load does not need.
 */
final class InstancePool implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(InstancePool.class);
    /** How many instances to keep ready; {@code 0} instantiates on demand only. */
    static final String SIZE_PROPERTY = "outpost.edge.preparedInstances";

    static final int DEFAULT_SIZE = 1;

    /**
     * How many instances to keep ready at most, beyond which a finished one is dropped: as many as the edge's default
     * {@code --max-guests}, so that a steady load of that many requests at once keeps its instances.
     */
    static final String KEPT_PROPERTY = "outpost.edge.keptInstances";

    static final int DEFAULT_KEPT = 8;

    /** After how many seconds unused an instance beyond those made ahead is dropped. */
    static final String IDLE_PROPERTY = "outpost.edge.idleInstanceSeconds";

    static final int DEFAULT_IDLE_SECONDS = 30;

    /** An instance whose imports are not yet bound to a request. */
    interface Blank extends AutoCloseable {
        /** Binds the request's hostcalls (one per function import, in import order); called once per use. */
        WasmInstance bind(Hostcall[] hostcalls);

        /**
         * Puts the instance back to the state of a new one once its run is over, or returns false when it cannot (then
         * the pool closes it). By default it cannot.
         */
        default boolean reset() {
            return false;
        }

        /** Drops an instance no request took. */
        @Override
        void close();
    }

    private final Supplier<Blank> factory;
    private final int size;
    private final int kept;
    private final AtomicLong reused = new AtomicLong();
    /** Ready instances, the one put back last first. */
    private final ConcurrentLinkedDeque<Ready> ready = new ConcurrentLinkedDeque<>();
    /** Instances ready or being made. */
    private final AtomicInteger supply = new AtomicInteger();

    private final long idleNanos;
    /** Makes instances ahead and drops idle ones; null when the pool does neither. */
    private final ScheduledExecutorService maker;

    private volatile boolean closed;
    private volatile boolean failing;

    InstancePool(String name, Supplier<Blank> factory, boolean allowed) {
        this(name, factory, allowed, null);
    }

    /** With {@code first} (made by the caller, say to check that the module instantiates) as the first ready one. */
    InstancePool(String name, Supplier<Blank> factory, boolean allowed, Blank first) {
        this(
                name,
                factory,
                allowed,
                first,
                Duration.ofSeconds(Math.max(1, Integer.getInteger(IDLE_PROPERTY, DEFAULT_IDLE_SECONDS))));
    }

    /** With instances beyond those made ahead dropped after {@code idle} unused. */
    InstancePool(String name, Supplier<Blank> factory, boolean allowed, Blank first, Duration idle) {
        this.factory = factory;
        if (first != null) {
            ready.addFirst(new Ready(first, System.nanoTime()));
            supply.incrementAndGet();
        }
        this.size = allowed ? Math.max(0, Integer.getInteger(SIZE_PROPERTY, DEFAULT_SIZE)) : 0;
        this.kept = allowed ? Math.max(0, Integer.getInteger(KEPT_PROPERTY, DEFAULT_KEPT)) : 0;
        this.idleNanos = idle.toNanos();
        this.maker = size == 0 && kept == 0
                ? null
                : Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform()
                        .daemon()
                        .name("edge-instantiate-" + name)
                        .factory());
        if (maker != null && kept > size) {
            long every = Math.max(idleNanos / 2, 1_000_000);
            maker.scheduleWithFixedDelay(this::dropIdle, every, every, TimeUnit.NANOSECONDS);
        }
        refill();
    }

    /** A ready instance and since when it waits. */
    private record Ready(Blank blank, long since) {}

    /** A ready instance, or one made now when none is ready, bound to {@code hostcalls}. */
    WasmInstance take(Hostcall[] hostcalls) {
        Ready r = ready.pollFirst();
        Blank blank;
        if (r != null) {
            blank = r.blank();
            supply.decrementAndGet();
        } else {
            blank = factory.get();
            failing = false;
        }
        taken.incrementAndGet();
        inUse.incrementAndGet();
        refill();
        return new Tracked(blank, blank.bind(hostcalls));
    }

    /** Instances that served a request after another one (reset in between). */
    long reused() {
        return reused.get();
    }

    /** Resets a finished instance and keeps it ready, or closes it. */
    private void recycle(Blank blank) {
        boolean keep = false;
        if (!closed && ready.size() < kept) {
            try {
                keep = blank.reset();
            } catch (RuntimeException e) {
                log.debug("resetting an instance failed; dropping it: {}", e.toString());
            }
        }
        if (!keep) {
            blank.close();
            return;
        }
        supply.incrementAndGet();
        reused.incrementAndGet();
        ready.addFirst(new Ready(blank, System.nanoTime()));
        if (closed) {
            drain();
        }
    }

    /** Drops the instances unused for the idle time, oldest first, down to the number the pool keeps ready. */
    private void dropIdle() {
        long now = System.nanoTime();
        while (!closed && ready.size() > wanted()) {
            Ready oldest = ready.peekLast();
            if (oldest == null || now - oldest.since() < idleNanos) {
                return;
            }
            // a request may take it meanwhile: only the one that removes it drops it
            if (ready.removeLastOccurrence(oldest)) {
                supply.decrementAndGet();
                oldest.blank().close();
                dropped.incrementAndGet();
            }
        }
    }

    private final AtomicLong dropped = new AtomicLong();

    /** Instances dropped after waiting unused for the idle time. */
    long droppedIdle() {
        return dropped.get();
    }

    /** Instances ready now. */
    int ready() {
        return ready.size();
    }

    private final AtomicLong taken = new AtomicLong();
    private final AtomicInteger inUse = new AtomicInteger();

    /** Instances taken and not yet closed. */
    int inUse() {
        return inUse.get();
    }

    /** Instances taken so far. */
    long taken() {
        return taken.get();
    }

    /**
     * Counts the instance out when it is closed (once), and hands it back for a reset when its run ended normally. A
     * cancel that comes after the close (a time limit firing late) does nothing: the instance may serve another request
     * by then.
     */
    private final class Tracked implements WasmInstance {
        private final Blank blank;
        private final WasmInstance instance;
        private boolean released;
        private boolean cancelled;
        private volatile boolean endedNormally;

        Tracked(Blank blank, WasmInstance instance) {
            this.blank = blank;
            this.instance = instance;
        }

        @Override
        public int runStart() {
            int code = instance.runStart();
            endedNormally = true;
            return code;
        }

        @Override
        public synchronized void cancel() {
            if (!released) {
                cancelled = true;
                instance.cancel();
            }
        }

        @Override
        public void close() {
            boolean reusable;
            synchronized (this) {
                if (released) {
                    return;
                }
                released = true;
                reusable = endedNormally && !cancelled;
            }
            try {
                if (reusable) {
                    recycle(blank);
                } else {
                    instance.close();
                }
            } finally {
                inUse.decrementAndGet();
            }
        }
    }

    private void refill() {
        if (maker == null || closed || failing) {
            return;
        }
        while (true) {
            int n = supply.get();
            if (n >= wanted()) {
                return;
            }
            if (supply.compareAndSet(n, n + 1)) {
                break;
            }
        }
        try {
            maker.execute(this::makeOne);
        } catch (RejectedExecutionException e) {
            supply.decrementAndGet();
        }
    }

    /**
     * How many should be ready: the number made ahead, and once instances come back reset, one more less those in use
     * (under load the pool then grows by instances made on demand and keeps them, instead of making more ahead and
     * dropping the surplus). The idle drop keeps as many, or the next request would make one again at once.
     */
    private int wanted() {
        return reused.get() > 0 ? size + 1 - inUse.get() : size;
    }

    private void makeOne() {
        Blank blank;
        try {
            blank = factory.get();
        } catch (RuntimeException e) {
            // The same failure will show on the request that instantiates on demand; stop trying ahead.
            failing = true;
            supply.decrementAndGet();
            log.debug("instantiating ahead failed; instantiating on demand from now on: {}", e.toString());
            return;
        }
        ready.addFirst(new Ready(blank, System.nanoTime()));
        if (closed) {
            drain();
        }
    }

    private void drain() {
        for (Ready r; (r = ready.poll()) != null; ) {
            r.blank().close();
        }
    }

    @Override
    public void close() {
        closed = true;
        if (maker != null) {
            maker.shutdown();
            // Let an instantiation in progress finish, so the engine is not closed under it.
            try {
                maker.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        drain();
    }
}
