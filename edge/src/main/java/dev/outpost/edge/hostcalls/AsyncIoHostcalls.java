package dev.outpost.edge.hostcalls;

import dev.outpost.edge.abi.HostcallException;
import dev.outpost.edge.sandbox.AsyncItem;
import dev.outpost.edge.sandbox.Body;
import dev.outpost.edge.sandbox.GuestCpu;
import dev.outpost.edge.sandbox.PendingRequest;
import dev.outpost.edge.sandbox.Sandbox;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** {@code fastly_async_io}: waiting on bodies and pending requests together. */
final class AsyncIoHostcalls {
    private static final String M = "fastly_async_io";
    /** What {@code select} reports when its timeout passes with nothing ready. */
    private static final int NONE_READY = -1;

    private final Sandbox s;

    AsyncIoHostcalls(Sandbox sandbox) {
        this.s = sandbox;
    }

    void register(HostcallTable t) {
        // is_ready(handle, is_done_out)
        t.fastly(M, "is_ready", (m, a) -> m.writeI32(a.i32(1), ready(s.asyncItems.get(a.i32(0))) ? 1 : 0));
        // select(handles, handles_len, timeout_ms, ready_idx_out); timeout 0 waits without limit.
        t.fastly(M, "select", (m, a) -> {
            int count = a.i32(1);
            if (count <= 0) {
                throw HostcallException.inval("select: " + count + " handles (expected: at least 1)");
            }
            List<Object> items = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                items.add(s.asyncItems.get(m.readI32(a.i32(0) + 4 * i)));
            }
            long timeoutMs = Integer.toUnsignedLong(a.i32(2));
            m.writeI32(a.i32(3), select(items, timeoutMs));
        });
    }

    static boolean ready(Object item) {
        if (item instanceof Body body) {
            // A body the guest writes never makes its own reads wait.
            return body.guestWritten() || body.isReady();
        }
        if (item instanceof PendingRequest pending) {
            return pending.isReady();
        }
        if (item instanceof AsyncItem other) {
            return other.isReady();
        }
        return true;
    }

    /** Waits until one of {@code items} is ready (0: without limit); its index, or -1 when the time passed. */
    static int select(List<Object> items, long timeoutMs) {
        Object signal = new Object();
        Runnable wake = () -> {
            synchronized (signal) {
                signal.notifyAll();
            }
        };
        List<Runnable> cleanup = new ArrayList<>();
        for (Object item : items) {
            if (item instanceof Body body) {
                body.addListener(wake);
                cleanup.add(() -> body.removeListener(wake));
            } else if (item instanceof PendingRequest pending) {
                CompletableFuture<?> f = pending.response().whenComplete((r, e) -> wake.run());
                cleanup.add(() -> f.cancel(false));
            } else if (item instanceof AsyncItem other) {
                CompletableFuture<?> f = other.whenReady().whenComplete((r, e) -> wake.run());
                cleanup.add(() -> f.cancel(false));
            }
        }
        long deadline = timeoutMs == 0 ? Long.MAX_VALUE : System.nanoTime() + timeoutMs * 1_000_000;
        GuestCpu.Away away = new GuestCpu.Away();
        try {
            synchronized (signal) {
                while (true) {
                    for (int i = 0; i < items.size(); i++) {
                        if (ready(items.get(i))) {
                            return i;
                        }
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return NONE_READY;
                    }
                    away.giveUp();
                    signal.wait(Math.max(1, Math.min(left / 1_000_000, 60_000)));
                }
            }
        } catch (InterruptedException e) {
            throw Guest.interrupted("async_io.select", e);
        } finally {
            away.close();
            cleanup.forEach(Runnable::run);
        }
    }
}
