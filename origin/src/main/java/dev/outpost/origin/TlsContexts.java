package dev.outpost.origin;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLException;

/**
 * The client TLS contexts of one connector, one per distinct {@link TlsSettings}, each built once on first use and
 * shared by every connection made with those settings (building one reads certificates and keys, which is slow). A
 * context whose settings cannot be used is not kept: each use says why again.
 */
public final class TlsContexts {
    private final Map<TlsSettings, SslContext> contexts = new ConcurrentHashMap<>();

    /** The context for the trust mode: {@link TlsSettings#INSECURE} or {@link TlsSettings#VERIFYING}. */
    public SslContext forTrust(boolean insecureTrust) throws SSLException {
        return context(insecureTrust ? TlsSettings.INSECURE : TlsSettings.VERIFYING);
    }

    /**
     * The context for {@code settings}, built on the first call with equal settings.
     *
     * @throws SSLException when the settings cannot be used (a certificate or key that does not parse, an unknown
     *     protocol version); the message says which
     */
    public SslContext context(TlsSettings settings) throws SSLException {
        SslContext c = contexts.get(settings);
        if (c != null) {
            return c;
        }
        try {
            return contexts.computeIfAbsent(settings, TlsContexts::buildUnchecked);
        } catch (Unusable e) {
            throw e.cause;
        }
    }

    /** How many distinct contexts were built and kept. */
    public int size() {
        return contexts.size();
    }

    private static SslContext buildUnchecked(TlsSettings s) {
        try {
            return build(s);
        } catch (SSLException e) {
            throw new Unusable(e);
        } catch (IllegalArgumentException e) {
            SSLException wrapped = new SSLException(e.getMessage(), e);
            throw new Unusable(wrapped);
        }
    }

    private static SslContext build(TlsSettings s) throws SSLException {
        SslContextBuilder b = SslContextBuilder.forClient();
        if (s.insecure()) {
            b.trustManager(InsecureTrustManagerFactory.INSTANCE).endpointIdentificationAlgorithm(null);
        } else {
            b.endpointIdentificationAlgorithm("HTTPS");
            if (s.trustedPem() != null) {
                b.trustManager(ascii(s.trustedPem()));
            }
        }
        if (s.clientCertificatePem() != null) {
            b.keyManager(ascii(s.clientCertificatePem()), new ByteArrayInputStream(s.clientKeyPem()));
        }
        if (s.protocols() != null) {
            b.protocols(s.protocols());
        }
        if (s.ciphers() != null) {
            b.ciphers(s.ciphers(), SupportedCipherSuiteFilter.INSTANCE);
        }
        return b.build();
    }

    private static ByteArrayInputStream ascii(String pem) {
        return new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII));
    }

    /** Carries a build failure out of {@code computeIfAbsent}. */
    private static final class Unusable extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient SSLException cause;

        Unusable(SSLException cause) {
            super(cause.getMessage(), cause, false, false);
            this.cause = cause;
        }
    }
}
