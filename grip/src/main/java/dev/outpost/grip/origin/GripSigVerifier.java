package dev.outpost.grip.origin;

import com.nimbusds.jwt.SignedJWT;
import dev.outpost.grip.client.GripUrl;
import dev.outpost.grip.sig.GripSig;
import dev.outpost.grip.sig.SigKey;
import java.text.ParseException;
import java.time.Instant;
import java.util.Objects;

/**
 * Checks the {@code Grip-Sig} header a GRIP proxy adds to the requests it forwards: an HS256 JWT, signed with the
 * proxy's {@code sig_key}, not expired, and (when asked) naming the expected issuer. An origin that answers only
 * signed requests with GRIP instructions cannot be made to hold connections by a client that bypasses the proxy.
 *
 * <pre>{@code
 * GripSigVerifier sig = GripSigVerifier.of("changeme");
 * if (!sig.isValid(request.getHeader("Grip-Sig"))) { ... answer without GRIP ... }
 * }</pre>
 */
public final class GripSigVerifier {
    private final byte[] key;
    private final String issuer;

    private GripSigVerifier(byte[] key, String issuer) {
        if (key.length == 0) {
            throw new IllegalArgumentException("Grip-Sig key: empty (expected: the proxy's sig_key)");
        }
        this.key = key;
        this.issuer = issuer;
    }

    /** A verifier for a key as Pushpin's configuration writes it: plain text, or {@code base64:...}. */
    public static GripSigVerifier of(String keySpec) {
        return new GripSigVerifier(SigKey.parse(Objects.requireNonNull(keySpec, "keySpec")), null);
    }

    /** A verifier for raw key bytes. */
    public static GripSigVerifier of(byte[] key) {
        return new GripSigVerifier(Objects.requireNonNull(key, "key").clone(), null);
    }

    /**
     * A verifier from a GRIP URL: its {@code verify-key} (else its {@code key}) and, when given, its
     * {@code verify-iss} as the required issuer.
     *
     * @throws IllegalArgumentException when the URL is malformed or has no key
     */
    public static GripSigVerifier fromGripUrl(String gripUrl) {
        GripUrl url = GripUrl.parse(gripUrl);
        String k = url.verifyKey() != null ? url.verifyKey() : url.key();
        if (k == null || k.isEmpty()) {
            throw new IllegalArgumentException(
                    "GRIP URL " + url + ": no verify-key or key (expected: ?verify-key=KEY to check Grip-Sig)");
        }
        GripSigVerifier v = of(k);
        return url.verifyIss() != null ? v.requireIssuer(url.verifyIss()) : v;
    }

    /** A verifier that also requires the token's {@code iss} claim to be {@code issuer}. */
    public GripSigVerifier requireIssuer(String issuer) {
        return new GripSigVerifier(key, Objects.requireNonNull(issuer, "issuer"));
    }

    /** True when {@code gripSig} (the header value, may be null) is valid now. */
    public boolean isValid(String gripSig) {
        return isValid(gripSig, Instant.now());
    }

    /** True when {@code gripSig} is signed with the key, unexpired at {@code now} and from the issuer (if set). */
    public boolean isValid(String gripSig, Instant now) {
        if (gripSig == null || !GripSig.verify(gripSig, key, now)) {
            return false;
        }
        if (issuer == null) {
            return true;
        }
        try {
            return issuer.equals(
                    SignedJWT.parse(gripSig.trim()).getJWTClaimsSet().getIssuer());
        } catch (ParseException e) {
            return false;
        }
    }
}
