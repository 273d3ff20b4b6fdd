package dev.outpost.grip.sig;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.text.ParseException;
import java.time.Instant;
import java.util.Date;

/** The {@code Grip-Sig} request header: an HS256 JWT with {@code iss} and {@code exp}. */
public final class GripSig {
    /** Lifetime of a signature, as Pushpin signs it. */
    public static final int TTL_SECONDS = 3600;

    private GripSig() {
    }

    public static String sign(String iss, byte[] key, Instant now) {
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(iss)
                .expirationTime(Date.from(now.plusSeconds(TTL_SECONDS)))
                .build();
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
        try {
            jwt.sign(new MACSigner(padKey(key)));
        } catch (JOSEException e) {
            throw new IllegalStateException("HS256 signing failed", e);
        }
        return jwt.serialize();
    }

    public static boolean verify(String jwt, byte[] key, Instant now) {
        return false;
    }

    // nimbus refuses HMAC keys under 256 bits; others are accepted by signing with the key as given
    static byte[] padKey(byte[] key) {
        return key;
    }

    static SignedJWT parse(String jwt) throws ParseException {
        return SignedJWT.parse(jwt);
    }
}
