package dev.outpost.bus.zmq;

import dev.outpost.grip.publish.PublishFormatException;
import dev.outpost.grip.publish.PublishItem;
import dev.outpost.grip.tnet.PushMessage;
import dev.outpost.grip.tnet.TnetString;
import dev.outpost.grip.tnet.TnetStringException;
import dev.outpost.proxy.pubsub.ChannelHub;
import dev.outpost.proxy.pubsub.SubscriberRegistry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMQException;
import org.zeromq.ZMsg;

/**
 * Pushpin's ZeroMQ inputs (JeroMQ, pure Java), read as Pushpin's handler reads them ({@code handlerengine.cpp}):
 *
 * <ul>
 *   <li>{@code push_in_spec}: a bound PULL socket; each one-frame message is an item ({@code J} JSON, {@code T} or
 *       nothing a tnetstring), as {@code pushpin-publish --spec tcp://...} sends it;
 *   <li>{@code push_in_sub_specs}: a SUB socket (bound, or connected with {@code push_in_sub_connect}) taking
 *       {@code [channel, item]}; it subscribes to a channel while the node holds subscribers of it (with
 *       {@code subscription_linger}), so publishers on XPUB sockets learn which channels this node wants;
 *   <li>{@code command_spec}: a bound ROUTER socket answering REQ (or DEALER) clients: see {@link Commands}.
 * </ul>
 *
 * <p>Items go to the hub as publishes do (with a bus: onto the bus). All sockets live on one thread of their own;
 * other threads hand it work (subscriptions, late command answers) through a queue, and wake it with a message on an
 * inproc PAIR socket, so the thread sleeps in its poll until there is input or work (an idle node spends no CPU here)
 * and handed-over work runs at once. The poll has a timeout only while a SUB subscription's linger runs.
 */
public final class ZmqInputs implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ZmqInputs.class);
    private static final AtomicInteger WAKE_IDS = new AtomicInteger();

    private final ZmqSettings settings;
    private final ZContext ctx = new ZContext(1);
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    /** A wake-up is on its way to the socket thread (at most one at a time: the queue holds the work). */
    private final AtomicBoolean wakePending = new AtomicBoolean();
    /** Guards {@link #wakeOut}: ZeroMQ sockets are not thread-safe, and any thread may hand over work. */
    private final Object wakeLock = new Object();
    /** The sending end of the wake-up pair; null once closed. Guarded by wakeLock. */
    private ZMQ.Socket wakeOut;
    /** Times the socket thread came out of its poll (tests: an idle thread stays in it). */
    private final AtomicLong pollReturns = new AtomicLong();

    private final CountDownLatch stopped = new CountDownLatch(1);
    /** Channels emptied and when (nanoTime), for the SUB socket's linger. Thread: the ZeroMQ thread. */
    private final Map<String, Long> emptiedAt = new HashMap<>();
    /** Topics the SUB socket subscribes to. Thread: the ZeroMQ thread. */
    private final Set<String> subscribed = new HashSet<>();

    private ChannelHub hub;
    private Commands commands;
    private Thread thread;
    private volatile boolean closed;
    private long lingerNanos = TimeUnit.SECONDS.toNanos(SubscriberRegistry.LINGER_SECONDS);

    public ZmqInputs(ZmqSettings settings) {
        this.settings = settings;
    }

    public ZmqSettings settings() {
        return settings;
    }

    /** What the hub tells of wanted and emptied channels (under its lock: only queues work and wakes, never blocks). */
    public SubscriberRegistry.Interest interest() {
        return new SubscriberRegistry.Interest() {
            @Override
            public void wanted(String channel) {
                submit(() -> {
                    emptiedAt.remove(channel);
                    subscribe(channel);
                });
            }

            @Override
            public void emptied(String channel) {
                long at = System.nanoTime();
                submit(() -> emptiedAt.put(channel, at));
            }
        };
    }

    private ZMQ.Socket sub;

    /** Binds (or connects) the sockets and starts reading; a spec that cannot be bound throws at once. */
    public void start(ChannelHub hub) {
        this.hub = hub;
        this.commands = new Commands(hub, settings);
        ZMQ.Socket pull = null;
        ZMQ.Socket router = null;
        try {
            // inproc: bind before connect; the name only has to be unique within this context
            String wakeSpec = "inproc://outpost-zmq-wake-" + WAKE_IDS.incrementAndGet();
            ZMQ.Socket wakeIn = ctx.createSocket(SocketType.PAIR);
            wakeIn.bind(wakeSpec);
            ZMQ.Socket out = ctx.createSocket(SocketType.PAIR);
            out.setLinger(0);
            out.connect(wakeSpec);
            synchronized (wakeLock) {
                wakeOut = out;
            }
            if (settings.pushInSpec() != null) {
                pull = ctx.createSocket(SocketType.PULL);
                pull.setRcvHWM(1000);
                bind(pull, settings.pushInSpec(), "push_in_spec");
            }
            if (settings.subscribes()) {
                sub = ctx.createSocket(SocketType.SUB);
                sub.setLinger(0);
                for (String spec : settings.pushInSubSpecs()) {
                    if (settings.pushInSubConnect()) {
                        sub.setTCPKeepAlive(1);
                        sub.connect(spec);
                    } else {
                        bind(sub, spec, "push_in_sub_specs");
                    }
                }
                // channels already held (a node started with subscribers is not a case today, but be exact)
                for (String c : hub.channels()) {
                    subscribe(c);
                }
            }
            if (settings.commandSpec() != null) {
                router = ctx.createSocket(SocketType.ROUTER);
                router.setLinger(1000);
                bind(router, settings.commandSpec(), "command_spec");
            }
            ZMQ.Socket p = pull;
            ZMQ.Socket r = router;
            ZMQ.Socket sb = sub;
            thread = Thread.ofPlatform().daemon().name("outpost-zmq").start(() -> run(wakeIn, p, sb, r));
        } catch (RuntimeException e) {
            synchronized (wakeLock) {
                wakeOut = null;
            }
            ctx.destroy();
            throw e;
        }
        log.info(
                "ZeroMQ inputs: {}{}{}",
                settings.pushInSpec() == null ? "" : "push_in_spec " + settings.pushInSpec() + " (PULL) ",
                settings.subscribes()
                        ? "push_in_sub_specs " + String.join(",", settings.pushInSubSpecs())
                                + (settings.pushInSubConnect() ? " (SUB, connecting) " : " (SUB) ")
                        : "",
                settings.commandSpec() == null ? "" : "command_spec " + settings.commandSpec() + " (commands)");
    }

    /** Sets {@code subscription_linger} for the SUB socket (seconds). */
    public ZmqInputs linger(int seconds) {
        this.lingerNanos = TimeUnit.SECONDS.toNanos(Math.max(0, seconds));
        return this;
    }

    private static void bind(ZMQ.Socket s, String spec, String key) {
        try {
            s.bind(spec);
        } catch (ZMQException | IllegalArgumentException e) {
            throw new IllegalStateException(key + " " + spec + ": cannot bind (" + e.getMessage() + ")", e);
        }
    }

    private void submit(Runnable task) {
        if (!closed) {
            tasks.add(task);
            wake();
        }
    }

    /** Wakes the socket thread unless a wake-up is already on its way; never blocks (callers may hold locks). */
    private void wake() {
        if (!wakePending.compareAndSet(false, true)) {
            return;
        }
        synchronized (wakeLock) {
            // a full pipe (never with one wake-up at a time) would mean one is already waiting to be read
            if (wakeOut != null) {
                wakeOut.send(WAKE, ZMQ.DONTWAIT);
            }
        }
    }

    private static final byte[] WAKE = new byte[0];

    private void subscribe(String channel) {
        if (sub != null && subscribed.add(channel)) {
            log.debug("SUB socket subscribe: {}", channel);
            sub.subscribe(channel.getBytes(StandardCharsets.UTF_8));
        }
    }

    private void unsubscribe(String channel) {
        if (sub != null && subscribed.remove(channel)) {
            log.debug("SUB socket unsubscribe: {}", channel);
            sub.unsubscribe(channel.getBytes(StandardCharsets.UTF_8));
        }
    }

    private void run(ZMQ.Socket wakeIn, ZMQ.Socket pull, ZMQ.Socket sub, ZMQ.Socket router) {
        ZMQ.Poller poller = ctx.createPoller(4);
        poller.register(wakeIn, ZMQ.Poller.POLLIN);
        if (pull != null) {
            poller.register(pull, ZMQ.Poller.POLLIN);
        }
        if (sub != null) {
            poller.register(sub, ZMQ.Poller.POLLIN);
        }
        if (router != null) {
            poller.register(router, ZMQ.Poller.POLLIN);
        }
        boolean backlog = false;
        try {
            while (!closed && !Thread.currentThread().isInterrupted()) {
                // no timeout unless a linger is running: input and handed-over work both wake the poll
                poller.poll(backlog ? 0 : pollTimeout());
                pollReturns.incrementAndGet();
                if (closed) {
                    break;
                }
                while (wakeIn.recv(ZMQ.DONTWAIT) != null) {
                    // the wake-ups themselves carry nothing
                }
                // cleared before the queue is read: work queued from now on sends a wake-up of its own
                wakePending.set(false);
                Runnable t;
                while ((t = tasks.poll()) != null) {
                    t.run();
                }
                // read every socket whatever the poll said: a missed readiness must not strand a message
                // a socket left with messages after its batch is read again at once, not when the next one comes
                backlog = false;
                if (pull != null) {
                    backlog |= drain(pull, this::pulled);
                }
                if (sub != null) {
                    backlog |= drain(sub, this::subbed);
                }
                if (router != null) {
                    backlog |= drain(router, m -> command(router, m));
                }
                lingerOver();
            }
        } catch (ZMQException e) {
            if (!closed) {
                log.error("ZeroMQ inputs stopped: {}", e.getMessage());
            }
        } finally {
            poller.close();
            stopped.countDown();
        }
    }

    private interface MessageHandler {
        void handle(ZMsg m);
    }

    /**
     * Up to a batch of waiting messages, so that one busy socket does not starve the others; true when the batch was
     * full (more may wait).
     */
    private static boolean drain(ZMQ.Socket s, MessageHandler h) {
        for (int i = 0; i < 1000; i++) {
            ZMsg m = ZMsg.recvMsg(s, ZMQ.DONTWAIT);
            if (m == null) {
                return false;
            }
            try {
                h.handle(m);
            } catch (RuntimeException e) {
                log.warn("ZeroMQ message failed", e);
            } finally {
                m.destroy();
            }
        }
        return true;
    }

    private void pulled(ZMsg m) {
        if (m.size() != 1) {
            log.warn("IN pull: received message with parts != 1, skipping");
            return;
        }
        publish("IN pull", m.getFirst().getData(), null);
    }

    private void subbed(ZMsg m) {
        if (m.size() != 2) {
            log.warn("IN sub: received message with parts != 2, skipping");
            return;
        }
        String channel = new String(m.getFirst().getData(), StandardCharsets.UTF_8);
        publish("IN sub", m.getLast().getData(), channel);
    }

    private void publish(String input, byte[] frame, String channel) {
        PublishItem item;
        try {
            item = PushMessage.item(frame, channel);
        } catch (PublishFormatException e) {
            log.warn("{}: {}, skipping", input, e.getMessage());
            return;
        }
        hub.publish(List.of(item)).whenComplete((ok, err) -> {
            if (err != null) {
                Throwable c = err.getCause() != null ? err.getCause() : err;
                log.warn("{}: item on {} not published: {}", input, item.channel(), c.getMessage());
            }
        });
    }

    /** A ROUTER message: routing frames, an empty frame, then one content frame (a REQ client's request). */
    private void command(ZMQ.Socket router, ZMsg m) {
        List<byte[]> frames = new ArrayList<>();
        m.forEach(f -> frames.add(f.getData()));
        int empty = -1;
        for (int i = 0; i < frames.size(); i++) {
            if (frames.get(i).length == 0) {
                empty = i;
                break;
            }
        }
        if (empty < 1 || frames.size() - empty - 1 != 1) {
            log.warn("command: received message with parts != 1, skipping");
            return;
        }
        List<byte[]> head = frames.subList(0, empty);
        Object request;
        try {
            request = TnetString.parse(frames.get(empty + 1));
        } catch (TnetStringException e) {
            log.warn(
                    "command: received message with invalid format (tnetstring parse failed: {}), skipping",
                    e.getMessage());
            return;
        }
        List<byte[]> route = List.copyOf(head);
        commands.handle(request, reply -> {
            byte[] body = TnetString.write(reply);
            Runnable send = () -> {
                ZMsg out = new ZMsg();
                route.forEach(out::add);
                out.add(new byte[0]);
                out.add(body);
                out.send(router);
            };
            if (Thread.currentThread() == thread) {
                send.run();
            } else {
                submit(send);
            }
        });
    }

    /** How many times the socket thread has come out of its poll. */
    long pollReturns() {
        return pollReturns.get();
    }

    /** Milliseconds until the first SUB linger is over, or -1 (wait for input or work) when none runs. */
    private long pollTimeout() {
        if (emptiedAt.isEmpty()) {
            return -1;
        }
        long first = Long.MAX_VALUE;
        for (long at : emptiedAt.values()) {
            first = Math.min(first, at + lingerNanos);
        }
        long left = first - System.nanoTime();
        return left <= 0 ? 0 : TimeUnit.NANOSECONDS.toMillis(left) + 1;
    }

    private void lingerOver() {
        if (emptiedAt.isEmpty()) {
            return;
        }
        long now = System.nanoTime();
        emptiedAt.entrySet().removeIf(e -> {
            if (now - e.getValue() < lingerNanos) {
                return false;
            }
            if (hub.subscriberCount(e.getKey()) == 0) {
                unsubscribe(e.getKey());
            }
            return true;
        });
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (thread != null) {
            wakePending.set(false);
            wake();
            try {
                stopped.await(3, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (wakeLock) {
            wakeOut = null;
        }
        ctx.destroy();
    }
}
