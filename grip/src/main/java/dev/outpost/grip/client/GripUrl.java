package dev.outpost.grip.client;

import dev.outpost.grip.sig.GripSig;
import dev.outpost.grip.sig.SigKey;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A GRIP URL as publisher libraries read it ({@code GRIP_URL}): {@code http[s]://[user:pass@]host[:port][/path]
 * [?iss=ISS&key=KEY]}. The publish endpoint is the URL's path plus {@code /publish/}. With {@code iss} and {@code key}
 * requests carry a Bearer JWT; with {@code key} alone the key is the Bearer token; user info means Basic auth.
 * {@code verify-iss} and {@code verify-key} are for checking {@code Grip-Sig} (see
 * {@link dev.outpost.grip.origin.GripSigVerifier#fromGripUrl(String)}) and play no part in publishing.
 *
 * @param scheme {@code http} or {@code https}
 * @param host host name or address (IPv6 without brackets)
 * @param port explicit or the scheme's default
 * @param basePath the URL's path without trailing slashes, possibly empty
 * @param otherQuery query parameters other than the GRIP ones, still encoded, or null
 * @param iss JWT issuer, or null
 * @param key key as written (plain or {@code base64:...}), or null
 * @param userInfo {@code user:pass} from the URL, decoded, or null
 * @param verifyIss {@code verify-iss}: the issuer a {@code Grip-Sig} must name, or null
 * @param verifyKey {@code verify-key} as written: the key a {@code Grip-Sig} must be signed with, or null
 */
public record GripUrl(
        String scheme,
        String host,
        int port,
        String basePath,
        String otherQuery,
        String iss,
        String key,
        String userInfo,
        String verifyIss,
        String verifyKey) {

    /** The default when neither {@code --spec} nor {@code GRIP_URL} is given, as {@code pushpin-publish}'s. */
    public static final String DEFAULT = "http://localhost:5561";

    /**
     * Parses a GRIP URL.
     *
     * @throws IllegalArgumentException naming the value (a key is left out), what is wrong and what is expected; the
     *     caller prefixes where the value came from
     */
    public static GripUrl parse(String spec) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("empty (expected: http[s]://host[:port][?iss=ISS&key=KEY])");
        }
        String s = spec.trim();
        int colon = s.indexOf(':');
        String scheme = colon > 0 ? s.substring(0, colon).toLowerCase(Locale.ROOT) : "";
        if (scheme.equals("tcp") || scheme.equals("ipc") || scheme.equals("inproc")) {
            throw new IllegalArgumentException("'" + redact(spec)
                    + "': ZeroMQ specs are not supported (expected: an http:// or https:// GRIP URL)");
        }
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException(
                    "'" + redact(spec) + "' (expected: http[s]://host[:port][?iss=ISS&key=KEY])");
        }
        URI uri;
        try {
            uri = new URI(s);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(
                    "'" + redact(spec) + "': " + e.getReason() + " (expected: http[s]://host[:port][?iss=ISS&key=KEY])",
                    e);
        }
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("'" + redact(spec) + "': no host (expected: http[s]://host[:port])");
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (uri.getFragment() != null) {
            throw new IllegalArgumentException("'" + redact(spec) + "': a fragment (expected: none)");
        }
        int port = uri.getPort() >= 0 ? uri.getPort() : (scheme.equals("https") ? 443 : 80);
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        String iss = null;
        String key = null;
        String verifyIss = null;
        String verifyKey = null;
        List<String> rest = new ArrayList<>();
        String query = uri.getRawQuery();
        if (query != null && !query.isEmpty()) {
            for (String pair : query.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String name = decode(eq < 0 ? pair : pair.substring(0, eq));
                String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
                switch (name) {
                    case "iss" -> iss = value;
                    case "key" -> key = value;
                    case "verify-iss" -> verifyIss = value;
                    case "verify-key" -> verifyKey = value;
                    default -> rest.add(pair);
                }
            }
        }
        if (iss != null && (key == null || key.isEmpty())) {
            throw new IllegalArgumentException(
                    "'" + redact(spec) + "': iss but no key (expected: both iss=ISS and key=KEY to sign a token)");
        }
        checkKey(spec, "key", key);
        checkKey(spec, "verify-key", verifyKey);
        String userInfo = uri.getUserInfo();
        return new GripUrl(
                scheme,
                host,
                port,
                path,
                rest.isEmpty() ? null : String.join("&", rest),
                iss,
                key,
                userInfo == null || userInfo.isEmpty() ? null : userInfo,
                verifyIss,
                verifyKey);
    }

    private static void checkKey(String spec, String name, String key) {
        if (key == null) {
            return;
        }
        byte[] bytes;
        try {
            bytes = SigKey.parse(key);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "'" + redact(spec) + "': " + name + " is not valid (expected: plain text or base64:BASE64)");
        }
        // "base64:" and nothing else: no key to sign or verify with (it failed later, when signing)
        if (!key.isEmpty() && bytes.length == 0) {
            throw new IllegalArgumentException(
                    "'" + redact(spec) + "': " + name + " is empty (expected: plain text or base64:BASE64)");
        }
    }

    /** Decodes %XX but keeps '+' as is: a Base64 key written in a URL is full of them. */
    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /** The spec without its secrets (the query may carry a key, the user info a password), for messages. */
    static String redact(String spec) {
        int q = spec.indexOf('?');
        String s = q < 0 ? spec : spec.substring(0, q) + "?...";
        return s.replaceFirst("(//[^/@?#]*?:)[^/@?#]*@", "$1***@");
    }

    /** The publish URL, without credentials. */
    @Override
    public String toString() {
        return publishUri().toString();
    }

    /** {@code <base>/publish/}, with any non-GRIP query parameters kept. */
    public URI publishUri() {
        String h = host.contains(":") ? "[" + host + "]" : host;
        String q = otherQuery == null ? "" : "?" + otherQuery;
        return URI.create(scheme + "://" + h + ":" + port + basePath + "/publish/" + q);
    }

    /** Path and query of the publish request line. */
    public String requestTarget() {
        return basePath + "/publish/" + (otherQuery == null ? "" : "?" + otherQuery);
    }

    /** The {@code Host} header value: the port only when it is not the scheme's default. */
    public String hostHeader() {
        String h = host.contains(":") ? "[" + host + "]" : host;
        boolean defaultPort = (scheme.equals("https") && port == 443) || (scheme.equals("http") && port == 80);
        return defaultPort ? h : h + ":" + port;
    }

    /**
     * The {@code Authorization} header the URL asks for: Bearer JWT {@code {iss, exp}} signed with the key, Bearer
     * key, or Basic user info; empty without any.
     */
    public Optional<String> authorization(Instant now) {
        if (iss != null) {
            return Optional.of("Bearer " + GripSig.sign(iss, SigKey.parse(key), now));
        }
        if (key != null && !key.isEmpty()) {
            return Optional.of("Bearer " + key);
        }
        if (userInfo != null) {
            return Optional.of(basic(userInfo));
        }
        return Optional.empty();
    }

    /** {@code Basic base64(user:pass)}. */
    public static String basic(String userPass) {
        return "Basic " + Base64.getEncoder().encodeToString(userPass.getBytes(StandardCharsets.UTF_8));
    }
}
