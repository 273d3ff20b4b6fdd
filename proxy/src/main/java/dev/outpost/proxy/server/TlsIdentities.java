package dev.outpost.proxy.server;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.AsyncMapping;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The certificates of the TLS listeners ({@code https_ports}), found as Pushpin's connection manager finds them in
 * its certificates directory ({@code runner/certs} next to {@code pushpin.conf}): for the name the client asks for
 * (SNI), {@code NAME.crt} with {@code NAME.key}, else the wildcard of the same level {@code _.PARENT.crt}
 * ({@code _.example.com.crt} serves {@code www.example.com}); without a name, or when no file matches,
 * {@code default_PORT.crt} for the listener on PORT. Certificate files are PEM chains, keys PEM (PKCS#8, or PKCS#1 and
 * SEC1 where the JDK reads them). A pair is read once and again when either file changes, so renewed certificates
 * are picked up without a restart. With no matching file the handshake fails (the client sees an alert) and the
 * reason is logged once per name.
 */
public final class TlsIdentities {
    private static final Logger log = LoggerFactory.getLogger(TlsIdentities.class);
    /** As Pushpin: longer names are refused. */
    private static final int NAME_MAX = 253;

    private record Loaded(SslContext context, FileTime modified) {}

    private final Path dir;
    private final Map<String, Loaded> cache = new ConcurrentHashMap<>();
    private final Map<String, Boolean> reported = new ConcurrentHashMap<>();

    public TlsIdentities(Path dir) {
        this.dir = dir;
    }

    /** The certificates directory. */
    public Path dir() {
        return dir;
    }

    /** The lookup for the listener on {@code port}, for Netty's {@code SniHandler}. */
    public AsyncMapping<String, SslContext> forPort(int port) {
        return (String name, Promise<SslContext> promise) -> {
            try {
                return promise.setSuccess(select(name, port));
            } catch (IOException e) {
                String key = name + "/" + port;
                if (reported.putIfAbsent(key, Boolean.TRUE) == null) {
                    log.warn("TLS on port {}: {}", port, e.getMessage());
                }
                return (Future<SslContext>) promise.setFailure(e);
            }
        };
    }

    /**
     * The context for SNI {@code name} (null: none sent) on {@code port}.
     *
     * @throws IOException naming the files looked for, or the file that could not be read
     */
    public SslContext select(String name, int port) throws IOException {
        StringBuilder tried = new StringBuilder();
        if (name != null && !name.isEmpty()) {
            String n = name.toLowerCase(Locale.ROOT);
            if (usable(n)) {
                SslContext c = load(n, tried);
                if (c != null) {
                    return c;
                }
                int dot = n.indexOf('.');
                if (dot > 0) {
                    c = load("_" + n.substring(dot), tried);
                    if (c != null) {
                        return c;
                    }
                }
            }
        }
        SslContext c = load("default_" + port, tried);
        if (c != null) {
            return c;
        }
        throw new IOException("no certificate for " + (name == null ? "a client that sent no name (SNI)" : name)
                + " in " + dir + " (looked for " + tried + "; expected: NAME.crt and NAME.key, or default_" + port
                + ".crt and default_" + port + ".key)");
    }

    /** Pushpin forbids control characters and path separators, for safe file names. */
    private static boolean usable(String name) {
        if (name.length() > NAME_MAX) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char ch = name.charAt(i);
            if (ch < 0x20 || ch == '/' || ch == '\\') {
                return false;
            }
        }
        return !name.startsWith(".");
    }

    private SslContext load(String base, StringBuilder tried) throws IOException {
        Path crt = dir.resolve(base + ".crt");
        Path key = dir.resolve(base + ".key");
        if (!tried.isEmpty()) {
            tried.append(", ");
        }
        tried.append(base).append(".crt");
        if (!Files.isRegularFile(crt)) {
            return null;
        }
        if (!Files.isRegularFile(key)) {
            throw new IOException(crt + " has no key file " + key);
        }
        FileTime modified = newest(crt, key);
        Loaded l = cache.get(base);
        if (l != null && l.modified().equals(modified)) {
            return l.context();
        }
        try {
            SslContext ctx =
                    SslContextBuilder.forServer(crt.toFile(), key.toFile()).build();
            cache.put(base, new Loaded(ctx, modified));
            log.info("TLS: {} loaded", crt);
            return ctx;
        } catch (SSLException | IllegalArgumentException e) {
            throw new IOException(
                    crt + " / " + key + ": not a usable PEM certificate and key (" + e.getMessage() + ")", e);
        }
    }

    private static FileTime newest(Path a, Path b) throws IOException {
        FileTime x = Files.getLastModifiedTime(a);
        FileTime y = Files.getLastModifiedTime(b);
        return x.compareTo(y) >= 0 ? x : y;
    }
}
