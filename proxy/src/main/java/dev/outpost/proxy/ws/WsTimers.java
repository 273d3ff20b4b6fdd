package dev.outpost.proxy.ws;

import dev.outpost.grip.control.ControlMessage;
import dev.outpost.grip.instruct.KeepAliveMode;
import dev.outpost.proxy.observe.ConnectionObserver;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The timers a GRIP WebSocket's control messages set: the keep-alive ({@code keep-alive}: a message every
 * {@code timeout} s, or after that long without one in {@code idle} mode) and the delayed message
 * ({@code send-delayed}, sent when due or at {@code flush-delayed}). Runs on the client's event loop.
 */
final class WsTimers {
    private final EventExecutor executor;
    private final SessionControl session;
    private final WsClientSide client;
    private final ConnectionObserver observer;

    private ControlMessage.KeepAlive keepAlive;
    private ScheduledFuture<?> keepAliveTimer;
    private ControlMessage.SendDelayed delayed;
    private ScheduledFuture<?> delayedTimer;

    WsTimers(EventExecutor executor, SessionControl session, WsClientSide client, ConnectionObserver observer) {
        this.executor = executor;
        this.session = session;
        this.client = client;
        this.observer = observer;
    }

    /** A {@code keep-alive} control message: replaces the current keep-alive (disabled, or timeout 0: none). */
    void keepAlive(ControlMessage.KeepAlive k) {
        if (keepAliveTimer != null) {
            keepAliveTimer.cancel(false);
            keepAliveTimer = null;
        }
        keepAlive = k.enabled() && k.timeoutSeconds() > 0 ? k : null;
        if (keepAlive != null) {
            scheduleKeepAlive(keepAlive.timeoutSeconds() * 1000L);
        }
    }

    private void scheduleKeepAlive(long millis) {
        keepAliveTimer = executor.schedule(this::keepAliveDue, Math.max(1, millis), TimeUnit.MILLISECONDS);
    }

    private void keepAliveDue() {
        ControlMessage.KeepAlive k = keepAlive;
        if (k == null || !session.open()) {
            return;
        }
        long period = k.timeoutSeconds() * 1000L;
        if (k.mode() == KeepAliveMode.IDLE) {
            long idle = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - client.lastWriteNanos());
            if (idle < period) {
                scheduleKeepAlive(period - idle);
                return;
            }
        }
        session.sendToClient(new Msg(k.type(), k.content()));
        observer.keepAliveSent();
        scheduleKeepAlive(period);
    }

    /** A {@code send-delayed} control message: replaces any message still waiting. */
    void sendDelayed(ControlMessage.SendDelayed sd) {
        cancelDelayed();
        delayed = sd;
        delayedTimer = executor.schedule(this::flushDelayed, Math.max(0, sd.timeoutSeconds()), TimeUnit.SECONDS);
    }

    /** Sends the delayed message now ({@code flush-delayed}, or when due), if one waits and the WebSocket is open. */
    void flushDelayed() {
        ControlMessage.SendDelayed d = delayed;
        cancelDelayed();
        if (d != null && session.open()) {
            session.sendToClient(new Msg(d.type(), d.content()));
        }
    }

    private void cancelDelayed() {
        delayed = null;
        if (delayedTimer != null) {
            delayedTimer.cancel(false);
            delayedTimer = null;
        }
    }

    /** The connection ends: no timer fires any more. */
    void cancel() {
        keepAlive = null;
        if (keepAliveTimer != null) {
            keepAliveTimer.cancel(false);
        }
        cancelDelayed();
    }
}
