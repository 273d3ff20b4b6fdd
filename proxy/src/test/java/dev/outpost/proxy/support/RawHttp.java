package dev.outpost.proxy.support;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A plain-socket HTTP/1.1 client that shows the wire: framing, order, closes. */
public final class RawHttp implements AutoCloseable {

    public record Response(
            String statusLine, int status, List<Map.Entry<String, String>> headers, byte[] body, boolean chunked) {
        public String header(String name) {
            for (Map.Entry<String, String> e : headers) {
                if (e.getKey().equalsIgnoreCase(name)) {
                    return e.getValue();
                }
            }
            return null;
        }

        public boolean has(String name) {
            return header(name) != null;
        }

        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    public RawHttp(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(20_000);
        in = new BufferedInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    public RawHttp send(String raw) throws IOException {
        return send(raw.getBytes(StandardCharsets.ISO_8859_1));
    }

    public RawHttp send(byte[] raw) throws IOException {
        out.write(raw);
        out.flush();
        return this;
    }

    public static String get(String path, String... headers) {
        StringBuilder sb = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n");
        for (String h : headers) {
            sb.append(h).append("\r\n");
        }
        return sb.append("\r\n").toString();
    }

    public String readLine() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') {
                break;
            }
            if (c != '\r') {
                b.write(c);
            }
        }
        if (c == -1 && b.size() == 0) {
            throw new EOFException("connection closed");
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    /** Reads the status line and headers only. */
    public Response readHead() throws IOException {
        String status = readLine();
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        String line;
        while (!(line = readLine()).isEmpty()) {
            int colon = line.indexOf(':');
            headers.add(Map.entry(
                    line.substring(0, colon).trim(), line.substring(colon + 1).trim()));
        }
        int code = Integer.parseInt(status.split(" ")[1]);
        Response r = new Response(status, code, headers, new byte[0], false);
        String te = r.header("Transfer-Encoding");
        return new Response(
                status,
                code,
                headers,
                new byte[0],
                te != null && te.toLowerCase(Locale.ROOT).contains("chunked"));
    }

    /** Reads one whole response, decoding chunked bodies; without framing reads to the close. */
    public Response read() throws IOException {
        return read(false);
    }

    public Response read(boolean headRequest) throws IOException {
        Response h = readHead();
        byte[] body;
        if (headRequest || h.status() == 204 || h.status() == 304) {
            body = new byte[0];
        } else if (h.chunked()) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            byte[] chunk;
            while ((chunk = readChunk()) != null) {
                b.write(chunk);
            }
            body = b.toByteArray();
        } else if (h.header("Content-Length") != null) {
            body = in.readNBytes(Integer.parseInt(h.header("Content-Length")));
        } else {
            body = in.readAllBytes();
        }
        return new Response(h.statusLine(), h.status(), h.headers(), body, h.chunked());
    }

    /** One chunk's data, or null at the last chunk (trailers skipped). */
    public byte[] readChunk() throws IOException {
        String sizeLine = readLine();
        int semi = sizeLine.indexOf(';');
        int size = Integer.parseInt((semi >= 0 ? sizeLine.substring(0, semi) : sizeLine).trim(), 16);
        if (size == 0) {
            while (!readLine().isEmpty()) {
                // trailers
            }
            return null;
        }
        byte[] data = in.readNBytes(size);
        readLine();
        return data;
    }

    public String readChunkText() throws IOException {
        byte[] b = readChunk();
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    /** True when the peer has closed: the next read is end of stream. */
    public boolean closedByPeer() throws IOException {
        try {
            return in.read() == -1;
        } catch (SocketException e) {
            return true;
        }
    }

    public InputStream input() {
        return in;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
