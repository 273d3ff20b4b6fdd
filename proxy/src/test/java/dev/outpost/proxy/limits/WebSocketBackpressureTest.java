package dev.outpost.proxy.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import com.sun.net.httpserver.HttpExchange;
import dev.outpost.grip.wsovh.WsEvent;
import dev.outpost.grip.wsovh.WsEventCodec;
import dev.outpost.proxy.OutpostProxy;
import dev.outpost.proxy.pubsub.Drops;
import dev.outpost.proxy.support.LeakGuard;
import dev.outpost.proxy.support.LogCapture;
import dev.outpost.proxy.support.ProxyHarness;
import dev.outpost.proxy.support.RawHttp;
import dev.outpost.proxy.support.RawWs;
import dev.outpost.testkit.TestOrigin;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A WebSocket client that floods without reading is held back by TCP, not by the proxy's memory (issue 16, items 1
 * and 2); a client's bad close gets a close frame, as does an origin's (item 10).
 */
@ExtendWith(LeakGuard.class)
@Timeout(90)
class WebSocketBackpressureTest {
    /** More than any socket buffers hold: a flood that gets this far was read by the proxy without pause. */
    static final long FLOOD_LIMIT = 96L * 1024 * 1024;
    /**
     * websocket_over_http_queue_max here: small, so that what the proxy leaves unread when it stops reading always
     * fits in the loopback socket's first receive buffer (128 KiB), whatever the buffer's tuning did before.
     */
    static final int QUEUE_MAX = 16 * 1024;

    TestOrigin origin;
    OutpostProxy proxy;
    final List<List<WsEvent>> requests = new CopyOnWriteArrayList<>();
    final CountDownLatch gate = new CountDownLatch(1);

    @BeforeEach
    void start() throws Exception {
        origin = new TestOrigin();
        origin.on("/woh", this::slowOrigin);
        proxy = ProxyHarness.start(
                "* 127.0.0.1:" + origin.port() + ",over_http\nslow.example test\n",
                b -> b.setting("outpost/websocket_over_http_queue_max", Integer.toString(QUEUE_MAX)));
    }

    @AfterEach
    void stop() {
        gate.countDown();
        proxy.close();
        origin.close();
    }

    /** Opens at once; then holds every request until {@link #gate} opens; "close999" closes with code 999. */
    private void slowOrigin(HttpExchange ex) throws IOException {
        List<WsEvent> in;
        try {
            in = WsEventCodec.decode(TestOrigin.body(ex));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        requests.add(in);
        List<WsEvent> out = new ArrayList<>();
        if (in.get(0) instanceof WsEvent.Open) {
            out.add(new WsEvent.Open());
        } else if (in.get(0) instanceof WsEvent.Text t
                && new String(t.content(), StandardCharsets.UTF_8).equals("close999")) {
            out.add(new WsEvent.Close(999, "odd"));
        } else if (!(in.get(in.size() - 1) instanceof WsEvent.Disconnect)) {
            try {
                gate.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        byte[] b = WsEventCodec.encode(out);
        ex.getResponseHeaders().set("Content-Type", "application/websocket-events");
        ex.sendResponseHeaders(200, b.length == 0 ? -1 : b.length);
        try (OutputStream o = ex.getResponseBody()) {
            o.write(b);
        }
    }

    @Test
    void aPingFloodToTheTestTargetStopsBeingRead() throws Exception {
        try (RawWs ws = new RawWs(proxy.httpPort(), "/ws", "slow.example")) {
            // the built-in test target (route slow.example) answers every ping with a pong nobody reads
            // ten quiet seconds: a proxy slowed down by the tests' leak detection still reads now and then
            long written = floodUntilBlocked(ws, RawWs.frame(RawWs.PING, new byte[125]), 10);
            assertThat(written).isLessThan(FLOOD_LIMIT);
        }
        assertProxyStillServes();
    }

    @Test
    void aFloodToASlowWebSocketOverHttpOriginStopsBeingReadAndEndsWhenTheClientLeaves() throws Exception {
        try (LogCapture log = new LogCapture(Drops.class, Level.INFO);
                RawWs ws = new RawWs(proxy.httpPort(), "/woh")) {
            await().atMost(Duration.ofSeconds(10)).until(() -> requests.size() == 1);
            long written = floodUntilBlocked(
                    ws, RawWs.frame(RawWs.TEXT, "x".repeat(100).getBytes()), 3);
            assertThat(written).isLessThan(FLOOD_LIMIT);
            // OPEN and the one batch the origin holds: nothing more is sent while it is busy
            assertThat(requests).hasSize(2);
            // one line for the connection, however long the flood
            assertThat(log.lines())
                    .singleElement()
                    .asString()
                    .contains("limit websocket_over_http_queue_max", "bytes of events wait for the origin");
            // the client goes as a process that exits with unread data does: with a reset
            ws.socket().setSoLinger(true, 0);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> proxy.openConnections() == 0);
        gate.countDown();
        // after the client left: the batch in flight is answered, then only DISCONNECT follows
        await().atMost(Duration.ofSeconds(10)).until(() -> requests.size() == 3);
        assertThat(requests.get(2)).containsExactly(new WsEvent.Disconnect());
        Thread.sleep(1000);
        assertThat(requests).hasSize(3);
        assertThat(proxy.drops().hits("websocket_over_http_queue_max")).isEqualTo(1);
    }

    @Test
    void aClientThatLeavesWhileHeldBackIsNoticed() throws Exception {
        try (RawWs ws = new RawWs(proxy.httpPort(), "/woh")) {
            await().atMost(Duration.ofSeconds(10)).until(() -> requests.size() == 1);
            // twice websocket_over_http_queue_max: what the proxy leaves unread, and the FIN behind it, fit in its
            // socket's receive buffer, so the FIN arrives (a FIN behind more unread data than that waits in the
            // client's kernel until the proxy reads again)
            byte[] frame = RawWs.frame(RawWs.TEXT, "y".repeat(1000).getBytes());
            for (int i = 0; i < 2 * QUEUE_MAX / 1000; i++) {
                ws.output().write(frame);
            }
            ws.output().flush();
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> proxy.drops().hits("websocket_over_http_queue_max") == 1);
        }
        // a plain close (FIN) while the proxy does not read: noticed all the same
        await().atMost(Duration.ofSeconds(10)).until(() -> proxy.openConnections() == 0);
        gate.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> requests.size() == 3);
        assertThat(requests.get(2)).containsExactly(new WsEvent.Disconnect());
    }

    @Test
    void aCloseWithAnInvalidCodeIsAnsweredWithAProtocolErrorClose() throws Exception {
        try (RawWs ws = new RawWs(proxy.httpPort(), "/ws", "slow.example")) {
            ws.sendClose(999, "");
            RawWs.Frame f = ws.read();
            assertThat(f).isNotNull();
            assertThat(f.opcode()).isEqualTo(RawWs.CLOSE);
            assertThat(f.closeCode()).isEqualTo(1002);
            assertThat(ws.read()).isNull();
        }
    }

    @Test
    void anOriginCloseWithAnInvalidCodeStillClosesTheClient() throws Exception {
        gate.countDown();
        try (RawWs ws = new RawWs(proxy.httpPort(), "/woh")) {
            ws.send(RawWs.TEXT, "close999".getBytes(StandardCharsets.UTF_8));
            RawWs.Frame f = ws.read();
            assertThat(f).isNotNull();
            assertThat(f.opcode()).isEqualTo(RawWs.CLOSE);
            // 999 can't go on the wire (RFC 6455 §7.4): a close without a code
            assertThat(f.payload()).isEmpty();
        }
    }

    private void assertProxyStillServes() throws IOException {
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            assertThat(c.send("GET / HTTP/1.1\r\nHost: slow.example\r\n\r\n")
                            .read()
                            .status())
                    .isEqualTo(200);
        }
    }

    /**
     * Writes {@code frame} over and over from another thread without ever reading, until the writes stay blocked for
     * {@code quietSeconds} (the proxy stopped reading) or {@link #FLOOD_LIMIT} bytes are out. Returns the bytes
     * written.
     */
    private static long floodUntilBlocked(RawWs ws, byte[] frame, int quietSeconds) throws Exception {
        AtomicLong written = new AtomicLong();
        AtomicReference<IOException> failure = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            try {
                OutputStream out = ws.output();
                byte[] batch = new byte[frame.length * 64];
                for (int i = 0; i < 64; i++) {
                    System.arraycopy(frame, 0, batch, i * frame.length, frame.length);
                }
                while (written.get() < FLOOD_LIMIT) {
                    out.write(batch);
                    written.addAndGet(batch.length);
                }
            } catch (IOException e) {
                // closed at the end of the test, or (a failure) by the proxy
                failure.set(e);
            }
        });
        writer.setDaemon(true);
        writer.start();
        // blocked: not one byte more for quietSeconds in a row (a proxy that reads slowly still takes some)
        long[] last = {-1, 0};
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> {
                    long now = written.get();
                    last[1] = now == last[0] ? last[1] + 1 : 0;
                    last[0] = now;
                    return last[1] >= quietSeconds || now >= FLOOD_LIMIT || failure.get() != null;
                });
        // still writing, held back: not cut off by the proxy
        assertThat(failure.get()).isNull();
        assertThat(writer.isAlive()).isTrue();
        return written.get();
    }
}
