package dev.outpost.bus.support;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A held HTTP stream on a proxy's built-in test target ({@code /stream?channel=...}): reads what arrives on a thread
 * of its own and keeps the body's lines (chunk framing removed) for assertions.
 */
public final class StreamClient implements AutoCloseable {
    private final Socket socket;
    private final StringBuilder raw = new StringBuilder();
    private volatile boolean closed;

    public StreamClient(int port, String channel) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.getOutputStream()
                .write(("GET /stream?channel=" + channel + " HTTP/1.1\r\nHost: localhost\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
        Thread t = new Thread(this::read, "stream-" + channel);
        t.setDaemon(true);
        t.start();
    }

    private void read() {
        byte[] b = new byte[8192];
        try {
            InputStream in = socket.getInputStream();
            int n;
            while ((n = in.read(b)) > 0) {
                synchronized (raw) {
                    raw.append(new String(b, 0, n, StandardCharsets.ISO_8859_1));
                }
            }
        } catch (IOException e) {
            // closed
        }
        closed = true;
    }

    /** Everything received so far. */
    public String text() {
        synchronized (raw) {
            return raw.toString();
        }
    }

    /** The lines of the body that follow {@code [stream opened]} and match {@code prefix}, in arrival order. */
    public List<String> lines(String prefix) {
        List<String> out = new ArrayList<>();
        for (String l : text().split("\r\n|\n")) {
            if (l.startsWith(prefix)) {
                out.add(l);
            }
        }
        return out;
    }

    public boolean opened() {
        return text().contains("[stream opened]");
    }

    /** True once the proxy closed the connection. */
    public boolean isClosed() {
        return closed;
    }

    public void awaitOpened() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!opened()) {
            if (System.nanoTime() > deadline || closed) {
                throw new AssertionError("stream not opened: " + text());
            }
            Thread.sleep(10);
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
