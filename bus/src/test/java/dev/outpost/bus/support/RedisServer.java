package dev.outpost.bus.support;

import dev.outpost.testkit.FreePorts;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} (Debian's, installed by {@code ./test}) on a free loopback port, that tests can kill,
 * restart on the same port, and pause ({@code SIGSTOP}) to play a bus that does not answer.
 */
public final class RedisServer implements AutoCloseable {
    private final int port;
    private Process process;

    private RedisServer(int port) {
        this.port = port;
    }

    /** Starts a server on a free port; tries a few ports in case another process takes one meanwhile. */
    public static RedisServer start() throws Exception {
        Exception last = null;
        for (int i = 0; i < 5; i++) {
            RedisServer r = new RedisServer(FreePorts.port());
            try {
                r.launch();
                return r;
            } catch (IOException e) {
                last = e;
            }
        }
        throw last;
    }

    private void launch() throws Exception {
        process = new ProcessBuilder(
                        "redis-server",
                        "--port",
                        Integer.toString(port),
                        "--bind",
                        "127.0.0.1",
                        "--save",
                        "",
                        "--appendonly",
                        "no",
                        "--protected-mode",
                        "no",
                        "--loglevel",
                        "warning")
                .redirectErrorStream(true)
                .start();
        CompletableFuture<Boolean> ready = new CompletableFuture<>();
        StringBuilder output = new StringBuilder();
        Thread t = new Thread(
                () -> {
                    try (BufferedReader r = new BufferedReader(
                            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                        String line;
                        while ((line = r.readLine()) != null) {
                            synchronized (output) {
                                if (output.length() < 10_000) {
                                    output.append(line).append('\n');
                                }
                            }
                        }
                    } catch (IOException e) {
                        // the process ended
                    }
                    ready.complete(false);
                },
                "redis-output-" + port);
        t.setDaemon(true);
        t.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("redis-server on port " + port + " exited: " + output);
            }
            if (ping()) {
                return;
            }
            Thread.sleep(50);
        }
        process.destroyForcibly();
        throw new IOException("redis-server on port " + port + " did not answer within 20 s: " + output);
    }

    private boolean ping() {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(1000);
            s.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            byte[] b = new byte[7];
            int n = s.getInputStream().read(b);
            return n > 0 && new String(b, 0, n, StandardCharsets.US_ASCII).startsWith("+PONG");
        } catch (IOException e) {
            return false;
        }
    }

    public int port() {
        return port;
    }

    public String uri() {
        return "redis://127.0.0.1:" + port;
    }

    public long pid() {
        return process.pid();
    }

    /** Kills the server at once (SIGKILL): connections drop without a goodbye. */
    public void kill() throws InterruptedException {
        resume();
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** Starts it again on the same port, empty (no scripts, no subscriptions). */
    public void restart() throws Exception {
        if (process.isAlive()) {
            kill();
        }
        Exception last = null;
        for (int i = 0; i < 20; i++) {
            try {
                launch();
                return;
            } catch (IOException e) {
                last = e; // the port may linger a moment
                Thread.sleep(250);
            }
        }
        throw last;
    }

    /** SIGSTOP: the server keeps its sockets open and answers nothing, as a stalled bus does. */
    public void pause() throws Exception {
        signal("STOP");
    }

    /** SIGCONT. */
    public void resume() throws InterruptedException {
        try {
            signal("CONT");
        } catch (IOException e) {
            // already gone
        }
    }

    private void signal(String sig) throws IOException, InterruptedException {
        if (process.isAlive()) {
            new ProcessBuilder("kill", "-" + sig, Long.toString(process.pid()))
                    .inheritIO()
                    .start()
                    .waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** How many connections subscribe to each of {@code channels} (bus names), as Redis counts them. */
    public Map<String, Long> numsub(String... channels) {
        RedisClient c = RedisClient.create(uri());
        try (StatefulRedisConnection<String, String> conn = c.connect()) {
            conn.setTimeout(Duration.ofSeconds(5));
            return conn.sync().pubsubNumsub(channels);
        } finally {
            c.shutdown(Duration.ZERO, Duration.ofSeconds(1));
        }
    }

    /** Every channel anyone subscribes to. */
    public List<String> channels() {
        RedisClient c = RedisClient.create(uri());
        try (StatefulRedisConnection<String, String> conn = c.connect()) {
            return conn.sync().pubsubChannels();
        } finally {
            c.shutdown(Duration.ZERO, Duration.ofSeconds(1));
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null) {
            kill();
        }
    }
}
