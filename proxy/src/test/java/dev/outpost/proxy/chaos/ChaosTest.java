package dev.outpost.proxy.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.outpost.proxy.OutpostProxy;
import dev.outpost.proxy.support.LeakGuard;
import dev.outpost.proxy.support.ProxyHarness;
import dev.outpost.proxy.support.Publisher;
import dev.outpost.proxy.support.RawHttp;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Chaos (issue 16): an origin that dies in the middle of a response, a publish storm against clients that do not
 * read, a proxy stopped and started again under load. Each asserts what must hold whatever the timing: nothing
 * hangs, every message is delivered or counted as dropped, clients come back, no descriptor is left behind.
 */
@ExtendWith(LeakGuard.class)
@Timeout(120)
class ChaosTest {

    @Test
    void anOriginDyingMidStreamCutsTheClientAndNothingElse() throws Exception {
        try (ServerSocket origin = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread t = new Thread(() -> serveThenDie(origin), "dying-origin");
            t.setDaemon(true);
            t.start();
            OutpostProxy proxy = ProxyHarness.start("* 127.0.0.1:" + origin.getLocalPort());
            try {
                try (RawHttp c = new RawHttp(proxy.httpPort())) {
                    RawHttp.Response head = c.send(RawHttp.get("/die")).readHead();
                    assertThat(head.status()).isEqualTo(200);
                    assertThat(c.readChunkText()).isEqualTo("half of it\n");
                    // no last chunk: the client must not take a broken body for a whole one
                    assertThat(c.closedByPeer()).isTrue();
                }
                // the proxy serves the next request as usual
                try (RawHttp c = new RawHttp(proxy.httpPort())) {
                    RawHttp.Response r = c.send(RawHttp.get("/ok")).read();
                    assertThat(r.status()).isEqualTo(200);
                    assertThat(r.text()).isEqualTo("fine\n");
                }
                await().atMost(Duration.ofSeconds(20)).until(() -> proxy.openConnections() == 0);
            } finally {
                proxy.close();
            }
        }
    }

    /** Answers /die with half a chunked body and a reset, anything else with a whole answer. */
    private static void serveThenDie(ServerSocket server) {
        while (!server.isClosed()) {
            try (Socket s = server.accept()) {
                String head = readHead(s.getInputStream());
                OutputStream out = s.getOutputStream();
                if (head.startsWith("GET /die")) {
                    out.write(
                            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\nb\r\nhalf of it\n\r\n"
                                    .getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    s.setSoLinger(true, 0);
                } else {
                    out.write("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nfine\n"
                            .getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                }
            } catch (IOException e) {
                // the test is over
            }
        }
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0) {
            sb.append((char) c);
            if (sb.length() >= 4 && sb.substring(sb.length() - 4).equals("\r\n\r\n")) {
                break;
            }
        }
        return sb.toString();
    }

    @Test
    void aPublishStormOnClientsThatDoNotReadIsBoundedAndAccountedFor() throws Exception {
        int clients = 4;
        // 32 KiB each: 16 MiB per client, far past what the kernel's socket buffers take in (tcp_wmem's 4 MiB
        // and a receive window that does not grow while the client does not read)
        int messages = 500;
        OutpostProxy proxy = ProxyHarness.start(
                null, b -> b.setting("outpost/stream_queue_max", "10").setting("outpost/inspector_port", "0"));
        List<RawHttp> streams = new ArrayList<>();
        try {
            for (int i = 0; i < clients; i++) {
                RawHttp c = new RawHttp(proxy.httpPort());
                streams.add(c);
                c.send(RawHttp.get("/stream?channel=storm")).readHead();
                assertThat(c.readChunkText()).isEqualTo("[stream opened]\n");
            }
            ProxyHarness.awaitSubscribers(proxy, "storm", clients);
            String pad = "x".repeat(32 * 1024);
            for (int batch = 0; batch < messages / 20; batch++) {
                StringBuilder items = new StringBuilder();
                for (int i = 0; i < 20; i++) {
                    int n = batch * 20 + i;
                    items.append(i == 0 ? "" : ",")
                            .append(Publisher.streamItem("storm", "m" + n + " " + pad + "\n", ""));
                }
                Publisher.publishItems(proxy.publishPort(), items.toString());
            }
            // now the clients read; whatever they get plus what was dropped is every message, for every client
            AtomicLong received = new AtomicLong();
            List<Thread> readers = new ArrayList<>();
            for (RawHttp c : streams) {
                Thread t = new Thread(() -> countMessages(c, received), "storm-reader");
                t.setDaemon(true);
                t.start();
                readers.add(t);
            }
            URI metrics =
                    URI.create("http://127.0.0.1:" + proxy.inspectorAddress().getPort() + "/metrics");
            HttpClient http = HttpClient.newHttpClient();
            try {
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                    String m = http.send(HttpRequest.newBuilder(metrics).build(), HttpResponse.BodyHandlers.ofString())
                            .body();
                    long dropped = dropped(m, "session_queue");
                    assertThat(dropped).as("the queue limit bit").isPositive();
                    assertThat(received.get() + dropped).isEqualTo((long) clients * messages);
                    // no other reason to drop
                    assertThat(dropped(m, null)).isEqualTo(dropped);
                });
            } finally {
                http.shutdownNow();
            }
        } finally {
            for (RawHttp c : streams) {
                c.close();
            }
            proxy.close();
        }
    }

    /** Counts the storm's messages on one stream ({@code m<N> ...} lines) until the connection ends. */
    private static void countMessages(RawHttp c, AtomicLong received) {
        StringBuilder partial = new StringBuilder();
        try {
            String chunk;
            while ((chunk = c.readChunkText()) != null) {
                partial.append(chunk);
                int nl;
                while ((nl = partial.indexOf("\n")) >= 0) {
                    if (partial.charAt(0) == 'm') {
                        received.incrementAndGet();
                    }
                    partial.delete(0, nl + 1);
                }
            }
        } catch (IOException | RuntimeException e) {
            // closed by the test
        }
    }

    /** {@code outpost_messages_dropped_total} for {@code reason}, or summed over every reason when null. */
    private static long dropped(String metrics, String reason) {
        Matcher m = Pattern.compile(
                        "^outpost_messages_dropped_total\\{[^}]*reason=\"([^\"]+)\"[^}]*} ([0-9.E]+)$",
                        Pattern.MULTILINE)
                .matcher(metrics);
        double sum = 0;
        while (m.find()) {
            if (reason == null || reason.equals(m.group(1))) {
                sum += Double.parseDouble(m.group(2));
            }
        }
        return Math.round(sum);
    }

    @Test
    void aProxyRestartedUnderLoadGetsItsClientsBackAndLeavesNoDescriptor() throws Exception {
        // one start and stop first, so that what the JVM opens once (native transport, selectors) is in the baseline
        ProxyHarness.start(null).close();
        long baseline = openDescriptors();
        OutpostProxy first = ProxyHarness.start(null);
        int port = first.httpPort();
        int clients = 10;
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger[] received = new AtomicInteger[clients];
        List<Thread> threads = new ArrayList<>();
        OutpostProxy second = null;
        try {
            for (int i = 0; i < clients; i++) {
                received[i] = new AtomicInteger();
                AtomicInteger mine = received[i];
                Thread t = new Thread(() -> reconnecting(port, running, mine), "client-" + i);
                t.setDaemon(true);
                t.start();
                threads.add(t);
            }
            ProxyHarness.awaitSubscribers(first, "load", clients);
            publishUntil(first, () -> Stream.of(received).allMatch(r -> r.get() > 0));
            first.close();

            // the same port again, as a process manager restarts a proxy
            int publishPort = first.publishPort();
            second = ProxyHarness.start(null, b -> b.httpPort(port).publishPort(publishPort));
            for (AtomicInteger r : received) {
                r.set(0);
            }
            ProxyHarness.awaitSubscribers(second, "load", clients);
            OutpostProxy s = second;
            publishUntil(s, () -> Stream.of(received).allMatch(r -> r.get() > 0));
        } finally {
            running.set(false);
            if (second != null) {
                second.close();
            }
            first.close();
            for (Thread t : threads) {
                t.join(10_000);
            }
        }
        // every client socket, listener and event loop of both proxies is closed again
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(openDescriptors()).isLessThanOrEqualTo(baseline + 2));
    }

    /** A stream client that reconnects whenever its stream ends, counting messages since it last connected. */
    private static void reconnecting(int port, AtomicBoolean running, AtomicInteger received) {
        while (running.get()) {
            try (RawHttp c = new RawHttp(port)) {
                c.send(RawHttp.get("/stream?channel=load")).readHead();
                String chunk;
                while (running.get() && (chunk = c.readChunkText()) != null) {
                    if (chunk.contains("tick")) {
                        received.incrementAndGet();
                    }
                }
            } catch (IOException | RuntimeException e) {
                // refused while no proxy listens, or cut by the stop: try again
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Publishes a tick now and then until {@code done}, over connections that are closed after each publish. */
    private static void publishUntil(OutpostProxy proxy, BooleanSupplier done) {
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    try (RawHttp c = new RawHttp(proxy.publishPort())) {
                        byte[] body = ("{\"items\":[" + Publisher.streamItem("load", "tick\n", "") + "]}")
                                .getBytes(StandardCharsets.UTF_8);
                        c.send("POST /publish/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: "
                                + "application/json\r\nContent-Length: " + body.length + "\r\n\r\n");
                        c.send(body);
                        assertThat(c.read().status()).isEqualTo(200);
                    }
                    return done.getAsBoolean();
                });
    }

    /**
     * The process's open sockets, epoll and event descriptors; files (the class path's jars, opened as classes are
     * first loaded, and logs) are left out.
     */
    private static long openDescriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> {
                        try {
                            return !Files.readSymbolicLink(fd).toString().startsWith("/");
                        } catch (IOException e) {
                            return false; // closed meanwhile
                        }
                    })
                    .count();
        }
    }
}
