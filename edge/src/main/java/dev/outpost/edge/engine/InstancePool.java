package dev.outpost.edge.engine;

import dev.outpost.edge.abi.Hostcall;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Instantiates a module ahead of the requests that will use it, on a thread of its own, so a request does not wait
 * for instantiation (several milliseconds for a JS app: linking 13,000 functions and copying the initial heap). Each
 * instance still serves exactly one request; it only comes into being a little earlier. Instantiating runs no guest
 * code (modules with a start function are not pooled) and calls no import, so nothing a request could observe
 * happens early: the request's hostcalls are bound when it takes the instance.
 */
final class InstancePool implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(InstancePool.class);
    /** How many instances to keep ready; {@code 0} instantiates on demand only. */
    static final String SIZE_PROPERTY = "outpost.edge.preparedInstances";

    static final int DEFAULT_SIZE = 1;

    /** An instance whose imports are not yet bound to a request. */
    interface Blank extends AutoCloseable {
        /** Binds the request's hostcalls (one per function import, in import order); called once. */
        WasmInstance bind(Hostcall[] hostcalls);

        /** Drops an instance no request took. */
        @Override
        void close();
    }

    private final Supplier<Blank> factory;
    private final int size;
    private final ConcurrentLinkedQueue<Blank> ready = new ConcurrentLinkedQueue<>();
    /** Instances ready or being made. */
    private final AtomicInteger supply = new AtomicInteger();

    private final ExecutorService maker;
    private volatile boolean closed;
    private volatile boolean failing;

    InstancePool(String name, Supplier<Blank> factory, boolean allowed) {
        this(name, factory, allowed, null);
    }

    /** With {@code first} (made by the caller, say to check that the module instantiates) as the first ready one. */
    InstancePool(String name, Supplier<Blank> factory, boolean allowed, Blank first) {
        this.factory = factory;
        if (first != null) {
            ready.add(first);
            supply.incrementAndGet();
        }
        this.size = allowed ? Math.max(0, Integer.getInteger(SIZE_PROPERTY, DEFAULT_SIZE)) : 0;
        this.maker = size == 0
                ? null
                : Executors.newSingleThreadExecutor(r -> {
                    Thread t = new Thread(r, "edge-instantiate-" + name);
                    t.setDaemon(true);
                    return t;
                });
        refill();
    }

    /** A ready instance, or one made now when none is ready, bound to {@code hostcalls}. */
    WasmInstance take(Hostcall[] hostcalls) {
        Blank blank = ready.poll();
        if (blank != null) {
            supply.decrementAndGet();
        } else {
            blank = factory.get();
            failing = false;
        }
        refill();
        taken.incrementAndGet();
        inUse.incrementAndGet();
        return new Tracked(blank.bind(hostcalls));
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

    /** Counts the instance out when it is closed (once). */
    private final class Tracked implements WasmInstance {
        private final WasmInstance instance;
        private final AtomicBoolean closed = new AtomicBoolean();

        Tracked(WasmInstance instance) {
            this.instance = instance;
        }

        @Override
        public int runStart() {
            return instance.runStart();
        }

        @Override
        public void cancel() {
            instance.cancel();
        }

        @Override
        public void close() {
            try {
                instance.close();
            } finally {
                if (closed.compareAndSet(false, true)) {
                    inUse.decrementAndGet();
                }
            }
        }
    }

    private void refill() {
        if (maker == null || closed || failing) {
            return;
        }
        while (true) {
            int n = supply.get();
            if (n >= size) {
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
        ready.add(blank);
        if (closed) {
            drain();
        }
    }

    private void drain() {
        for (Blank b; (b = ready.poll()) != null; ) {
            b.close();
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
