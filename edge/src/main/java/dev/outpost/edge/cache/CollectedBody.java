package dev.outpost.edge.cache;

import dev.outpost.edge.sandbox.Body;
import dev.outpost.edge.sandbox.GuestCpu;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * A cached object's body: bytes kept as they are written, readable any number of times, also while still being
 * written (readers receive the rest as it arrives). One writer at a time ({@link #append}, {@link #finish},
 * {@link #abandon}); readers on any thread.
 */
public final class CollectedBody {
    private final List<byte[]> chunks = new ArrayList<>();
    private final List<Reader> readers = new ArrayList<>();
    private final Long declaredLength;
    private long size;
    private boolean finished;
    private boolean abandoned;
    private volatile LongConsumer onGrow = n -> {};
    private volatile Runnable onAbandon = () -> {};
    private final Object drainLock = new Object();

    private CollectedBody(Long declaredLength) {
        this.declaredLength = declaredLength;
    }

    /** A complete body. */
    public static CollectedBody of(byte[] bytes) {
        CollectedBody body = new CollectedBody((long) bytes.length);
        body.append(bytes);
        body.finish();
        return body;
    }

    /** An empty body that {@link #append} fills. */
    public static CollectedBody open(Long declaredLength) {
        return new CollectedBody(declaredLength);
    }

    /**
     * A body filled from {@code source} as its writer writes (on the writer's thread, no thread of its own): ends when
     * {@code source} ends, abandoned when {@code source} is.
     */
    public static CollectedBody collecting(Body source, Long declaredLength) {
        CollectedBody body = new CollectedBody(declaredLength);
        Runnable drain = new Runnable() {
            @Override
            public void run() {
                if (body.drain(source)) {
                    source.removeListener(this);
                }
            }
        };
        source.addListener(drain);
        drain.run();
        return body;
    }

    /** Moves what {@code source} has ready; true once it ended. */
    private boolean drain(Body source) {
        synchronized (drainLock) {
            if (isDone()) {
                return true;
            }
            try {
                while (source.isReady()) {
                    byte[] chunk = source.read(64 * 1024);
                    if (chunk.length == 0) {
                        if (source.abandoned()) {
                            abandon();
                        } else {
                            finish();
                        }
                        return true;
                    }
                    append(chunk);
                }
                return false;
            } catch (InterruptedException e) {
                // isReady() said the read would not block; keep the flag for whoever runs us.
                Thread.currentThread().interrupt();
                abandon();
                return true;
            }
        }
    }

    /** Told how many bytes each write adds (the store's memory accounting). */
    void onGrow(LongConsumer listener) {
        this.onGrow = listener;
    }

    /** Told when the writer gave up (the object must not be served any more). */
    void onAbandon(Runnable listener) {
        this.onAbandon = listener;
    }

    public void append(byte[] bytes) {
        if (bytes.length == 0) {
            return;
        }
        List<Reader> now;
        long at;
        synchronized (this) {
            if (finished) {
                throw new IllegalStateException("cached body already ended");
            }
            at = size;
            chunks.add(bytes);
            size += bytes.length;
            now = List.copyOf(readers);
        }
        for (Reader r : now) {
            r.push(bytes, at);
        }
        onGrow.accept(bytes.length);
    }

    public void finish() {
        end(false);
    }

    /** The writer failed: readers see a truncated body (and stream it as such), and the object leaves the cache. */
    public void abandon() {
        end(true);
    }

    private void end(boolean failed) {
        List<Reader> now;
        synchronized (this) {
            if (finished) {
                return;
            }
            finished = true;
            abandoned = failed;
            now = List.copyOf(readers);
            readers.clear();
            notifyAll();
        }
        for (Reader r : now) {
            r.end(failed);
        }
        if (failed) {
            onAbandon.run();
        }
    }

    public synchronized boolean isDone() {
        return finished;
    }

    public synchronized boolean abandoned() {
        return abandoned;
    }

    /** The length: the bytes written once the body is complete, else the declared length, else null. */
    public synchronized Long length() {
        return finished && !abandoned ? Long.valueOf(size) : declaredLength;
    }

    /** Bytes held right now. */
    public synchronized long size() {
        return size;
    }

    /**
     * A new reader over bytes {@code from} to {@code to} (inclusive; either may be null). A range is honoured only when
     * the length is known and the range fits it; otherwise the whole body is read, as Fastly does.
     */
    public Body reader(Long from, Long to) {
        long start = 0;
        long end = Long.MAX_VALUE;
        Long length = length();
        if ((from != null || to != null) && length != null) {
            if (from == null) {
                // "to" alone counts from the end.
                if (to >= 1 && to <= length) {
                    start = length - to;
                }
            } else if (from >= 0 && from < length && (to == null || (to >= from && to < length))) {
                start = from;
                end = to == null ? Long.MAX_VALUE : to + 1;
            }
        }
        Body out = new Body().hostWritten();
        if (end != Long.MAX_VALUE) {
            out.knownLength(end - start);
        } else if (start == 0 && length != null) {
            out.knownLength(length);
        } else if (length != null) {
            out.knownLength(length - start);
        }
        Reader reader = new Reader(out, start, end);
        synchronized (this) {
            long at = 0;
            for (byte[] chunk : chunks) {
                reader.push(chunk, at);
                at += chunk.length;
            }
            if (finished) {
                reader.end(abandoned);
            } else {
                readers.add(reader);
            }
        }
        return out;
    }

    /** The whole body once complete (blocking until then), or null when it was abandoned. */
    public byte[] awaitBytes() throws InterruptedException {
        // A guest run gives up its CPU slot while it waits, and takes one again outside the monitor.
        try (GuestCpu.Away away = new GuestCpu.Away()) {
            synchronized (this) {
                while (!finished) {
                    away.giveUp();
                    wait();
                }
            }
        }
        synchronized (this) {
            if (abandoned) {
                return null;
            }
            byte[] out = new byte[(int) size];
            int at = 0;
            for (byte[] chunk : chunks) {
                System.arraycopy(chunk, 0, out, at, chunk.length);
                at += chunk.length;
            }
            return out;
        }
    }

    /** Feeds one reader's body with the bytes of its range. */
    private static final class Reader {
        private final Body out;
        private final long start;
        private final long end;

        Reader(Body out, long start, long end) {
            this.out = out;
            this.start = start;
            this.end = end;
        }

        void push(byte[] chunk, long at) {
            long from = Math.max(start, at);
            long to = Math.min(end, at + chunk.length);
            if (from >= to) {
                return;
            }
            if (from == at && to == at + chunk.length) {
                out.write(chunk);
            } else {
                out.write(Arrays.copyOfRange(chunk, (int) (from - at), (int) (to - at)));
            }
        }

        void end(boolean failed) {
            if (failed) {
                out.abandon();
            } else {
                out.finish();
            }
        }
    }
}
