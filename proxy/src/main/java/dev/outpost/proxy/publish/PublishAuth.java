package dev.outpost.proxy.publish;

import dev.outpost.grip.origin.GripSigVerifier;
import dev.outpost.grip.sig.GripSig;
import dev.outpost.proxy.config.ProxyConfig;
import dev.outpost.proxy.config.SigKeys;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;

/**
 * Optional authentication of the publish port (off by default: Pushpin has none and relies on binding the port to a
 * private address). When {@code [handler] push_in_http_auth_key} or {@code push_in_http_auth_basic} is set, every
 * request must carry credentials the GRIP_URL way, what {@code outpost publish}, {@code pushpin-publish} and the GRIP
 * libraries send:
 *
 * <ul>
 *   <li>{@code Authorization: Bearer JWT}: HS256 over {@code {iss, exp}}, signed with the key (a GRIP_URL's
 *       {@code ?iss=..&key=..}), unexpired; with {@code push_in_http_auth_iss} set its {@code iss} must match;
 *   <li>{@code Authorization: Bearer KEY}: the key itself (a GRIP_URL's {@code ?key=..} alone), only when no issuer
 *       is required;
 *   <li>{@code Authorization: Basic}: the {@code user:password} of {@code push_in_http_auth_basic} (a GRIP_URL's user
 *       info).
 * </ul>
 *
 * A value object, shared by every publish connection.
 */
public final class PublishAuth {
    /** The shared secret, as {@code sig_key} is written: plain text or {@code base64:...}. */
    public static final String KEY = "handler/push_in_http_auth_key";
    /** The issuer a Bearer JWT must name; empty means any. */
    public static final String ISS = "handler/push_in_http_auth_iss";
    /** {@code user:password} accepted as Basic credentials. */
    public static final String BASIC = "handler/push_in_http_auth_basic";

    private final byte[] key;
    private final String issuer;
    private final byte[] basic;

    private PublishAuth(byte[] key, String issuer, byte[] basic) {
        this.key = key;
        this.issuer = issuer;
        this.basic = basic;
    }

    /**
     * The authentication {@code config} asks for, or null when the publish port is open (neither key nor Basic
     * credentials set).
     *
     * @throws IllegalArgumentException when a value is malformed (the message names key and expectation, never the
     *     secret)
     */
    public static PublishAuth of(ProxyConfig config) {
        String k = config.setting(KEY).map(String::strip).orElse("");
        String iss = config.setting(ISS).map(String::strip).orElse("");
        String b = config.setting(BASIC).map(String::strip).orElse("");
        if (k.isEmpty() && b.isEmpty()) {
            if (!iss.isEmpty()) {
                throw new IllegalArgumentException(
                        "[handler] push_in_http_auth_iss is set without push_in_http_auth_key (expected: both, the"
                                + " key signs the JWT whose iss is checked)");
            }
            return null;
        }
        byte[] key = null;
        if (!k.isEmpty()) {
            try {
                key = SigKeys.parse(k);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("[handler] push_in_http_auth_key: " + e.getMessage(), e);
            }
        } else if (!iss.isEmpty()) {
            throw new IllegalArgumentException(
                    "[handler] push_in_http_auth_iss is set without push_in_http_auth_key (expected: both)");
        }
        byte[] basic = null;
        if (!b.isEmpty()) {
            int colon = b.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException(
                        "[handler] push_in_http_auth_basic: expected USER:PASSWORD (a user name, a colon, a password)");
            }
            basic = b.getBytes(StandardCharsets.UTF_8);
        }
        return new PublishAuth(key, iss.isEmpty() ? null : iss, basic);
    }

    /** Checks a value read from the configuration file without keeping it; the message is as {@link #of}'s. */
    public static void check(String sectionSlashKey, String value) {
        ProxyConfig.Builder b = ProxyConfig.builder().setting(sectionSlashKey, value);
        if (sectionSlashKey.equals(ISS)) {
            b.setting(KEY, "x");
        }
        of(b.build());
    }

    /** The {@code WWW-Authenticate} value of a 401: the schemes this port accepts. */
    String challenge() {
        String realm = " realm=\"publish\"";
        if (key != null && basic != null) {
            return "Bearer" + realm + ", Basic" + realm;
        }
        return (key != null ? "Bearer" : "Basic") + realm;
    }

    /** Null when the request may publish, else why not (the body of the 401, naming no secret). */
    String refusal(HttpHeaders headers, Instant now) {
        String value = headers.get(HttpHeaderNames.AUTHORIZATION);
        if (value == null || value.isBlank()) {
            return "Unauthorized: this publish port requires credentials (" + accepted() + ").";
        }
        if (headers.getAll(HttpHeaderNames.AUTHORIZATION).size() > 1) {
            return "Unauthorized: more than one Authorization header.";
        }
        String v = value.strip();
        int space = v.indexOf(' ');
        String scheme = space < 0 ? v : v.substring(0, space);
        String credentials = space < 0 ? "" : v.substring(space + 1).strip();
        if (scheme.equalsIgnoreCase("Bearer") && key != null) {
            return bearer(credentials, now);
        }
        if (scheme.equalsIgnoreCase("Basic") && basic != null) {
            byte[] given;
            try {
                given = Base64.getDecoder().decode(credentials);
            } catch (IllegalArgumentException e) {
                return "Unauthorized: Basic credentials are not valid Base64.";
            }
            return MessageDigest.isEqual(given, basic) ? null : "Unauthorized: wrong Basic user or password.";
        }
        return "Unauthorized: the " + scheme + " scheme is not accepted here (" + accepted() + ").";
    }

    private String bearer(String token, Instant now) {
        if (token.isEmpty()) {
            return "Unauthorized: empty Bearer token.";
        }
        if (token.chars().filter(c -> c == '.').count() == 2) {
            if (!GripSig.verify(token, key, now)) {
                return "Unauthorized: the Bearer JWT is not signed with push_in_http_auth_key (HS256), has no exp, "
                        + "or has expired.";
            }
            if (issuer != null && !GripSigVerifier.of(key).requireIssuer(issuer).isValid(token, now)) {
                return "Unauthorized: the Bearer JWT's iss is not the one push_in_http_auth_iss requires.";
            }
            return null;
        }
        if (issuer == null && MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8), key)) {
            return null;
        }
        return issuer == null
                ? "Unauthorized: the Bearer token is neither the key nor a JWT signed with it."
                : "Unauthorized: a Bearer JWT with iss is required (push_in_http_auth_iss is set).";
    }

    private String accepted() {
        if (key != null && basic != null) {
            return "Authorization: Bearer with a JWT signed with the key, or Basic";
        }
        return key != null ? "Authorization: Bearer with a JWT signed with the key" : "Authorization: Basic";
    }
}
