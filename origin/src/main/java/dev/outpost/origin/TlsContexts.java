package dev.outpost.origin;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import javax.net.ssl.SSLException;

/**
 * The client TLS contexts of one connector: one that verifies the certificate chain and the server name (HTTPS
 * rules), one that accepts any certificate (targets marked {@code insecure}). Each is built once, on first use.
 */
public final class TlsContexts {
    private volatile SslContext verifying;
    private volatile SslContext insecure;

    /** The context for the trust mode; built on the first call for that mode. */
    public SslContext forTrust(boolean insecureTrust) throws SSLException {
        SslContext c = insecureTrust ? insecure : verifying;
        if (c != null) {
            return c;
        }
        synchronized (this) {
            if (insecureTrust) {
                if (insecure == null) {
                    insecure = SslContextBuilder.forClient()
                            .trustManager(InsecureTrustManagerFactory.INSTANCE)
                            .endpointIdentificationAlgorithm(null)
                            .build();
                }
                return insecure;
            }
            if (verifying == null) {
                verifying = SslContextBuilder.forClient()
                        .endpointIdentificationAlgorithm("HTTPS")
                        .build();
            }
            return verifying;
        }
    }
}
