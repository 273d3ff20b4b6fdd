package dev.outpost.bus.redis;

import io.lettuce.core.RedisURI;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The bus address {@code redis://[user:password@]host:port[/db]} or {@code rediss://...} (TLS), checked strictly: a
 * mistake is named with what was expected rather than left to a connection that never works.
 *
 * @param tls      {@code rediss}
 * @param host     host name or address (IPv6 without brackets)
 * @param port     1-65535 (6379 when left out)
 * @param db       database number 0-15 (0 when left out); it also separates the pub/sub channels of clusters that share
 *                 one Redis, since Redis's pub/sub ignores database numbers
 * @param user     ACL user, or null
 * @param password password, or null
 */
public record BusUri(boolean tls, String host, int port, int db, String user, String password) {

    /** Reads {@code text}; throws {@link IllegalArgumentException} naming the value and the expectation. */
    public static BusUri parse(String text) {
        String expected = "redis://[user:password@]host:port[/db] or rediss://... (db 0-15)";
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("bus: empty (expected: " + expected + ")");
        }
        URI u;
        try {
            u = new URI(text.strip());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("bus: '" + text + "' is not a URI (expected: " + expected + ")");
        }
        String scheme = u.getScheme();
        if (scheme == null || !(scheme.equals("redis") || scheme.equals("rediss"))) {
            throw new IllegalArgumentException(
                    "bus: '" + text + "': scheme " + scheme + " is not supported (expected: " + expected + ")");
        }
        String host = u.getHost();
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("bus: '" + text + "': no host (expected: " + expected + ")");
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port = u.getPort() < 0 ? 6379 : u.getPort();
        if (port == 0 || port > 65535) {
            throw new IllegalArgumentException("bus: '" + text + "': port " + port + " (expected: 1-65535)");
        }
        int db = 0;
        String path = u.getPath();
        if (path != null && !path.isEmpty() && !path.equals("/")) {
            String d = path.substring(1);
            if (!d.matches("[0-9]{1,2}") || Integer.parseInt(d) > 15) {
                throw new IllegalArgumentException(
                        "bus: '" + text + "': database '" + d + "' (expected: a number 0-15 after the port)");
            }
            db = Integer.parseInt(d);
        }
        if (u.getQuery() != null || u.getFragment() != null) {
            throw new IllegalArgumentException(
                    "bus: '" + text + "': options after '?' or '#' are not read (expected: " + expected + ")");
        }
        String user = null;
        String password = null;
        String info = u.getRawUserInfo();
        if (info != null) {
            int colon = info.indexOf(':');
            String rawUser = colon < 0 ? info : info.substring(0, colon);
            user = rawUser.isEmpty() ? null : decode(rawUser);
            password = colon < 0 ? null : decode(info.substring(colon + 1));
            if (colon < 0) {
                // redis://secret@host, as redis-cli reads it: the user info is the password
                password = user;
                user = null;
            }
        }
        return new BusUri(scheme.equals("rediss"), host, port, db, user, password);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /** The address for logs, the banner and the inspector: never the password. */
    public String display() {
        String h = host.contains(":") ? "[" + host + "]" : host;
        String who = user != null ? user + (password != null ? ":***@" : "@") : (password != null ? "***@" : "");
        return (tls ? "rediss://" : "redis://") + who + h + ":" + port + "/" + db;
    }

    /** Lettuce's form, with {@code timeout} for commands. */
    RedisURI toLettuce(Duration timeout) {
        RedisURI.Builder b = RedisURI.builder()
                .withHost(host)
                .withPort(port)
                .withDatabase(db)
                .withSsl(tls)
                .withTimeout(timeout);
        if (password != null) {
            if (user != null) {
                b.withAuthentication(user, password.toCharArray());
            } else {
                b.withPassword(password.toCharArray());
            }
        }
        return b.build();
    }

    @Override
    public String toString() {
        return display();
    }
}
