package dev.outpost.grip.sig;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.text.ParseException;
import java.time.Instant;
import java.util.Date;
import java.util.Objects;

/**
 * The {@code Grip-Sig} request header: an HS256 JWT with {@code iss} and {@code exp} claims, proving to the origin
 * that a request came through the proxy (and to a proxy that a request came from a trusted upstream proxy).
 */
public final class GripSig {
    /** Lifetime of a signature, as Pushpin signs it. */
    public static final int TTL_SECONDS = 3600;

    private GripSig() {}

    /**
     * Signs {@code {"iss": iss, "exp": now + 3600}}.
     *
     * @throws IllegalArgumentException when the key is empty
     */
    public static String sign(String iss, byte[] key, Instant now) {
        Objects.requireNonNull(iss, "iss");
        Objects.requireNonNull(key, "key");
        if (key.length == 0) {
            throw new IllegalArgumentException("sig key: empty (expected: at least one byte)");
        }
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(iss)
                .expirationTime(Date.from(now.plusSeconds(TTL_SECONDS)))
                .build();
        SignedJWT jwt = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.HS256)
                        .type(JOSEObjectType.JWT)
                        .build(),
                claims);
        try {
            jwt.sign(new Hs256(key));
        } catch (JOSEException e) {
            throw new IllegalStateException("HS256 signing failed", e);
        }
        return jwt.serialize();
    }

    /**
     * True when {@code jwt} is an HS256 token signed with {@code key} whose {@code exp} claim is after
     * {@code now}. A token without {@code exp} is not valid. Never throws for malformed input.
     */
    public static boolean verify(String jwt, byte[] key, Instant now) {
        if (jwt == null || key == null) {
            return false;
        }
        try {
            SignedJWT parsed = SignedJWT.parse(jwt.trim());
            if (!JWSAlgorithm.HS256.equals(parsed.getHeader().getAlgorithm())) {
                return false;
            }
            if (!parsed.verify(new Hs256(key))) {
                return false;
            }
            Date exp = parsed.getJWTClaimsSet().getExpirationTime();
            return exp != null && now.getEpochSecond() < exp.toInstant().getEpochSecond();
        } catch (ParseException | JOSEException | RuntimeException e) {
            return false;
        }
    }
}
