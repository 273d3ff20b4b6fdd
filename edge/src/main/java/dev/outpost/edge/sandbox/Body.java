package dev.outpost.edge.sandbox;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A body: a byte stream written by one side and read by the other, possibly on different threads. Its contents are a
 * queue of byte chunks and appended bodies (read in order, without copying them in). The writer ends it with
 * {@link #finish()}; a reader sees end of stream when it is finished and drained.
 */
public final class Body {
    private static final byte[] EMPTY = new byte[0];

    private final ArrayDeque<Object> segments = new ArrayDeque<>();
    private int headOffset;
    private boolean finished;
    private boolean abandoned;
    private Long knownLength;
    private final CopyOnWriteArrayList<Runnable> listeners = new CopyOnWriteArrayList<>();
    private boolean fixedLength;
    private volatile boolean hostWritten;
    private final HeaderList trailers = new HeaderList();
    /** Plain bytes held now (appended bodies not counted). */
    private long buffered;
    /** Set once nobody will read this body: writes are dropped. */
    private boolean discarded;

    private String failure;

    private final CopyOnWriteArrayList<Runnable> readListeners = new CopyOnWriteArrayList<>();

    public static Body of(byte[] bytes) {
        Body body = new Body();
        body.knownLength(bytes.length);
        body.write(bytes);
        body.finish();
        return body;
    }

    /** Appends to the end. */
    public void write(byte[] bytes) {
        if (bytes.length == 0) {
            return;
        }
        changed(() -> {
            if (!discarded) {
                segments.addLast(bytes);
                buffered += bytes.length;
            }
        });
    }

    /** Prepends to the front (the ABI's {@code body_write_end.front}). */
    public void writeFront(byte[] bytes) {
        if (bytes.length == 0) {
            return;
        }
        changed(() -> {
            if (headOffset > 0 && segments.peekFirst() instanceof byte[] head) {
                segments.pollFirst();
                segments.addFirst(Arrays.copyOfRange(head, headOffset, head.length));
                headOffset = 0;
            }
            segments.addFirst(bytes);
            buffered += bytes.length;
        });
    }

    /** Moves {@code other} to the end of this body; it is read when everything before it is. */
    public void append(Body other) {
        changed(() -> segments.addLast(other));
        other.addListener(() -> changed(() -> {}));
    }

    /**
     * Marks this body as written by the host (a client request or a backend response arriving): only the host ends it,
     * and {@link #endGuestWrites()} leaves it alone.
     */
    public Body hostWritten() {
        this.hostWritten = true;
        return this;
    }

    /**
     * The guest gave up its handle (sent the body, or closed it): a body the guest writes ends here; one the host is
     * still writing goes on until the host ends it.
     */
    public void endGuestWrites() {
        if (!hostWritten) {
            finish();
        }
    }

    /** The trailers: written by whoever writes the body, readable once it is read to its end. */
    public HeaderList trailers() {
        return trailers;
    }

    /** Whether the trailers are complete: the body ended and was read to its end. */
    public synchronized boolean trailersReady() {
        return finished && segments.isEmpty();
    }

    /** Marks the end of the writer's data. Idempotent. */
    public void finish() {
        changed(() -> finished = true);
    }

    /**
     * Ends the body because its writer failed (a backend that stopped mid-body): readers get what arrived, then the
     * failure instead of a clean end.
     */
    public void fail(String reason) {
        synchronized (this) {
            failure = reason;
        }
        abandon();
    }

    /** Why the writer failed, or null. */
    public synchronized String failure() {
        return failure;
    }

    /** Ends the body unsuccessfully: readers see end of stream, and a streaming consumer should abort. */
    public void abandon() {
        changed(() -> {
            abandoned = true;
            finished = true;
        });
    }

    // Listeners run outside this body's monitor: a parent body's monitor may be held while it asks us for readiness.
    private void changed(Runnable mutation) {
        synchronized (this) {
            mutation.run();
            notifyAll();
        }
        for (Runnable listener : listeners) {
            listener.run();
        }
    }

    public synchronized boolean abandoned() {
        return abandoned;
    }

    public synchronized boolean finished() {
        return finished;
    }

    /** Declares the total length (a {@code content-length}); kept until the body is changed by the guest. */
    public synchronized void knownLength(long length) {
        this.knownLength = length;
        this.fixedLength = true;
    }

    /**
     * The length when known: declared, or everything buffered is plain bytes or appended bodies that ended or declared
     * their length; else null.
     */
    public synchronized Long knownLength() {
        if (fixedLength) {
            return knownLength;
        }
        long total = -headOffset;
        for (Object s : segments) {
            if (s instanceof byte[] b) {
                total += b.length;
            } else {
                Long nested = ((Body) s).lengthWhenAppended();
                if (nested == null) {
                    return null;
                }
                total += nested;
            }
        }
        return total;
    }

    /** The length of an appended body: declared, or once it has ended; null while it may still grow. */
    private synchronized Long lengthWhenAppended() {
        if (fixedLength) {
            return knownLength;
        }
        return finished ? knownLength() : null;
    }

    /** Runs {@code listener} whenever data arrives or the body ends (on the writer's thread, outside locks). */
    public void addListener(Runnable listener) {
        listeners.add(listener);
    }

    public void removeListener(Runnable listener) {
        listeners.remove(listener);
    }

    /** Whether a read would not block. */
    public synchronized boolean isReady() {
        while (true) {
            Object head = segments.peekFirst();
            if (head == null) {
                return finished;
            }
            if (head instanceof byte[]) {
                return true;
            }
            Body nested = (Body) head;
            if (!nested.isReady()) {
                return false;
            }
            if (!nested.drained()) {
                return true;
            }
            segments.pollFirst();
        }
    }

    private synchronized boolean drained() {
        return finished && segments.isEmpty();
    }

    /**
     * The whole body, if it is finished and so is every body appended to it (the common case of a body the guest wrote
     * and handed over); else null, and the body must be streamed.
     */
    public synchronized byte[] completeBytes() {
        if (!finished) {
            return null;
        }
        var out = new ByteArrayOutputStream();
        boolean first = true;
        for (Object s : segments) {
            if (s instanceof byte[] b) {
                int from = first ? headOffset : 0;
                out.write(b, from, b.length - from);
            } else {
                byte[] nested = ((Body) s).completeBytes();
                if (nested == null) {
                    return null;
                }
                out.writeBytes(nested);
            }
            first = false;
        }
        return out.toByteArray();
    }

    /**
     * Reads up to {@code max} bytes, blocking until some are available. Returns an empty array at end of stream (or
     * when {@code max} is 0).
     *
     * @throws InterruptedException if the reading thread is interrupted while waiting
     */
    public byte[] read(int max) throws InterruptedException {
        return read(max, false);
    }

    /**
     * A read by the guest itself. A body the guest writes is a buffer to its own reads, as in Viceroy: what is there
     * now, then end of stream, never a wait for more of its own writes (a host-written body, and a host-written body
     * appended to it, still wait for their data).
     */
    public byte[] readByGuest(int max) throws InterruptedException {
        return read(max, !hostWritten);
    }

    /** Whether the guest writes this body (it made it) rather than the host (a client request, a backend response). */
    public boolean guestWritten() {
        return !hostWritten;
    }

    private byte[] read(int max, boolean endWhenEmpty) throws InterruptedException {
        // A guest run that waits below gives up its CPU slot, and takes one again here, outside the monitor.
        try (GuestCpu.Away away = new GuestCpu.Away()) {
            return read(max, endWhenEmpty, away);
        }
    }

    private byte[] read(int max, boolean endWhenEmpty, GuestCpu.Away away) throws InterruptedException {
        if (max <= 0) {
            return EMPTY;
        }
        while (true) {
            Body nested;
            byte[] out = null;
            synchronized (this) {
                Object head = segments.peekFirst();
                if (head == null) {
                    if (finished || endWhenEmpty) {
                        return EMPTY;
                    }
                    away.giveUp();
                    wait();
                    continue;
                }
                if (head instanceof byte[] chunk) {
                    int n = Math.min(max, chunk.length - headOffset);
                    out = Arrays.copyOfRange(chunk, headOffset, headOffset + n);
                    headOffset += n;
                    buffered -= n;
                    if (headOffset == chunk.length) {
                        segments.pollFirst();
                        headOffset = 0;
                    }
                    nested = null;
                } else {
                    nested = (Body) head;
                }
            }
            if (out != null) {
                // Outside the monitor: a listener may resume the writer (a socket read on its event loop).
                for (Runnable listener : readListeners) {
                    listener.run();
                }
                return out;
            }
            // Read the nested body outside this monitor so its writer can reach us.
            byte[] nestedOut = nested.read(max, endWhenEmpty && !nested.hostWritten);
            if (nestedOut.length > 0) {
                return nestedOut;
            }
            synchronized (this) {
                if (segments.peekFirst() == nested) {
                    segments.pollFirst();
                }
            }
        }
    }

    /** The plain bytes held now, waiting to be read (bodies appended to this one not counted). */
    public synchronized long buffered() {
        return buffered;
    }

    /** Runs {@code listener} after each read that took bytes out of this body (on the reader's thread). */
    public void addReadListener(Runnable listener) {
        readListeners.add(listener);
    }

    /**
     * Nobody will read this body any more (the guest that held it has finished): what it holds is dropped, and so is
     * whatever the writer still sends, so a client's unread upload costs no memory.
     */
    public void discard() {
        changed(() -> {
            discarded = true;
            segments.clear();
            headOffset = 0;
            buffered = 0;
        });
        for (Runnable listener : readListeners) {
            listener.run();
        }
    }

    public synchronized boolean discarded() {
        return discarded;
    }

    /** Reads everything until end of stream. */
    public byte[] readAll() throws InterruptedException {
        var out = new ByteArrayOutputStream();
        while (true) {
            byte[] chunk = read(64 * 1024);
            if (chunk.length == 0) {
                return out.toByteArray();
            }
            out.writeBytes(chunk);
        }
    }

    /** Waits up to {@code timeout} for {@link #isReady()}. */
    public boolean awaitReady(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        synchronized (this) {
            while (!isReady()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            return true;
        }
    }

    /** A blocking stream over the rest of this body. */
    public InputStream asInputStream() {
        return new InputStream() {
            private byte[] chunk = EMPTY;
            private int at;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                int n = read(one, 0, 1);
                return n < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) {
                    return 0;
                }
                if (at == chunk.length) {
                    try {
                        chunk = Body.this.read(Math.max(len, 8192));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IOException("interrupted while reading a body", e);
                    }
                    at = 0;
                    if (chunk.length == 0) {
                        return -1;
                    }
                }
                int n = Math.min(len, chunk.length - at);
                System.arraycopy(chunk, at, b, off, n);
                at += n;
                return n;
            }
        };
    }
}
