package dev.outpost.proxy.route;

import dev.outpost.proxy.config.FileErrors;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls a routes file and hands each good new version to a listener; a bad version is logged ({@code file:line:
 * reason}) and the previous table stays in force. {@link #start} loads the file once, so a bad file at startup is an
 * error for the caller; later changes go to the listener (on the polling thread).
 *
 * <p>Change detection: modification time and size; the content is re-read and its hash compared when they change, and
 * also while the modification time is too recent to trust (a same-size rewrite within the clock's granularity). A new
 * content is applied once it has stayed the same for one polling interval, so a file caught half-written is not
 * loaded (Pushpin similarly waits a second after a change).
 */
public final class RoutesWatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RoutesWatcher.class);
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(1);

    private final Path file;
    private final Consumer<RouteTable> onChange;
    private final ScheduledExecutorService executor;
    private final boolean ownExecutor;
    private final long intervalNanos;
    private ScheduledFuture<?> task;
    private volatile boolean closed;
    private volatile RouteTable current;

    // touched only by the polling thread (and by the constructor before the first poll)
    private long lastMtime = Long.MIN_VALUE;
    private long lastSize = -1;
    private long lastCheckNanos;
    private byte[] handledHash;
    private byte[] pendingHash;
    private boolean missingLogged;

    private RoutesWatcher(
            Path file, Duration interval, ScheduledExecutorService executor, Consumer<RouteTable> onChange) {
        this.file = Objects.requireNonNull(file, "file");
        this.onChange = Objects.requireNonNull(onChange, "onChange");
        this.intervalNanos = Math.max(1, interval.toNanos());
        if (executor == null) {
            this.executor = Executors.newSingleThreadScheduledExecutor(
                    Thread.ofPlatform().daemon().name("outpost-routes-watcher").factory());
            this.ownExecutor = true;
        } else {
            this.executor = executor;
            this.ownExecutor = false;
        }
    }

    /** Loads {@code file} now and polls it every second; throws when it cannot be read or has a bad line. */
    public static RoutesWatcher start(Path file, Consumer<RouteTable> onChange) throws RoutesException {
        return start(file, DEFAULT_INTERVAL, null, onChange);
    }

    /**
     * Like {@link #start(Path, Consumer)} with a polling interval and an executor to poll on (null: a daemon thread
     * of its own, stopped by {@link #close()}; a given executor is not shut down).
     */
    public static RoutesWatcher start(
            Path file, Duration interval, ScheduledExecutorService executor, Consumer<RouteTable> onChange)
            throws RoutesException {
        RoutesWatcher w = new RoutesWatcher(file, interval, executor, onChange);
        try {
            Snapshot s = w.read();
            w.current = w.load(s.content());
            w.remember(s);
            w.task = w.executor.scheduleWithFixedDelay(w::poll, w.intervalNanos, w.intervalNanos, TimeUnit.NANOSECONDS);
        } catch (RoutesException e) {
            w.close();
            throw e;
        } catch (IOException e) {
            w.close();
            throw new RoutesException(file.toString(), "cannot read", FileErrors.describe(e));
        }
        return w;
    }

    /** The table in force: the initial load or the last good reload. */
    public RouteTable current() {
        return current;
    }

    public Path file() {
        return file;
    }

    private record Snapshot(long mtime, long size, byte[] content) {}

    private Snapshot read() throws IOException {
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
        byte[] content = Files.readAllBytes(file);
        return new Snapshot(a.lastModifiedTime().to(TimeUnit.NANOSECONDS), a.size(), content);
    }

    private void remember(Snapshot s) {
        lastMtime = s.mtime();
        lastSize = s.size();
        handledHash = hash(s.content());
        lastCheckNanos = System.currentTimeMillis() * 1_000_000L;
    }

    private RouteTable load(byte[] content) throws RoutesException {
        String text;
        try {
            text = StandardCharsets.UTF_8
                    .newDecoder()
                    .decode(ByteBuffer.wrap(content))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new RoutesException(file.toString(), "not valid UTF-8 text", null);
        }
        List<Route> routes = RoutesParser.parse(text, file.toString());
        for (Route r : routes) {
            for (String note : r.notes()) {
                LOG.warn("{}: {}", r.source(), note);
            }
        }
        return RouteTable.of(routes, msg -> LOG.warn("{}", msg));
    }

    private void poll() {
        if (closed) {
            return;
        }
        try {
            BasicFileAttributes a;
            try {
                a = Files.readAttributes(file, BasicFileAttributes.class);
            } catch (NoSuchFileException e) {
                if (!missingLogged) {
                    LOG.warn("{}: routes file is gone; keeping the current routes until it is back", file);
                    missingLogged = true;
                }
                lastMtime = Long.MIN_VALUE;
                pendingHash = null;
                return;
            }
            missingLogged = false;
            long mtime = a.lastModifiedTime().to(TimeUnit.NANOSECONDS);
            // an mtime close to the last check may hide a same-size rewrite: look at the content again
            boolean recent = mtime >= lastCheckNanos - 2_000_000_000L;
            if (pendingHash == null && mtime == lastMtime && a.size() == lastSize && !recent) {
                return;
            }
            Snapshot s = read();
            byte[] h = hash(s.content());
            lastMtime = s.mtime();
            lastSize = s.size();
            lastCheckNanos = System.currentTimeMillis() * 1_000_000L;
            if (Arrays.equals(h, handledHash)) {
                pendingHash = null;
                return;
            }
            if (!Arrays.equals(h, pendingHash)) {
                // a writer may be half-way (truncated, partly written): wait until the content holds for one interval
                pendingHash = h;
                return;
            }
            pendingHash = null;
            handledHash = h;
            RouteTable table;
            try {
                table = load(s.content());
            } catch (RoutesException e) {
                LOG.error("{}; keeping the previous routes", e.getMessage());
                return;
            }
            current = table;
            LOG.info("{}: routes reloaded ({} routes)", file, table.routes().size());
            if (!closed) {
                onChange.accept(table);
            }
        } catch (IOException e) {
            LOG.warn("{}: cannot read routes file ({}); keeping the current routes", file, FileErrors.describe(e));
        } catch (RuntimeException e) {
            // the listener or a parser bug must not stop the polling
            LOG.error("{}: routes reload failed", file, e);
        }
    }

    private static byte[] hash(byte[] content) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(content);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Stops polling (and the own thread, if any); idempotent. */
    @Override
    public void close() {
        closed = true;
        if (task != null) {
            task.cancel(false);
        }
        if (ownExecutor) {
            executor.shutdownNow();
        }
    }
}
