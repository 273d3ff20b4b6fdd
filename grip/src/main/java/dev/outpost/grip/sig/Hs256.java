package dev.outpost.grip.sig;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.jca.JCAContext;
import com.nimbusds.jose.util.Base64URL;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HS256 for keys of any length. nimbus's own MAC signer refuses keys under 256 bits, but Pushpin deployments
 * commonly use short keys (the shipped example is {@code changeme}), and those signatures must interoperate.
 */
final class Hs256 implements JWSSigner, JWSVerifier {
    private static final String JCA_NAME = "HmacSHA256";

    private final byte[] key;
    private final JCAContext jca = new JCAContext();

    Hs256(byte[] key) {
        this.key = key.clone();
    }

    private byte[] mac(byte[] input) throws JOSEException {
        if (key.length == 0) {
            throw new JOSEException("empty HMAC key");
        }
        try {
            Mac mac = Mac.getInstance(JCA_NAME);
            mac.init(new SecretKeySpec(key, JCA_NAME));
            return mac.doFinal(input);
        } catch (GeneralSecurityException e) {
            throw new JOSEException("HMAC-SHA256 unavailable: " + e.getMessage(), e);
        }
    }

    @Override
    public Base64URL sign(JWSHeader header, byte[] signingInput) throws JOSEException {
        requireHs256(header);
        return Base64URL.encode(mac(signingInput));
    }

    @Override
    public boolean verify(JWSHeader header, byte[] signedContent, Base64URL signature) throws JOSEException {
        requireHs256(header);
        return MessageDigest.isEqual(mac(signedContent), signature.decode());
    }

    private static void requireHs256(JWSHeader header) throws JOSEException {
        if (!JWSAlgorithm.HS256.equals(header.getAlgorithm())) {
            throw new JOSEException("unsupported algorithm " + header.getAlgorithm() + " (expected: HS256)");
        }
    }

    @Override
    public Set<JWSAlgorithm> supportedJWSAlgorithms() {
        return Set.of(JWSAlgorithm.HS256);
    }

    @Override
    public JCAContext getJCAContext() {
        return jca;
    }
}
