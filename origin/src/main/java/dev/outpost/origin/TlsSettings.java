package dev.outpost.origin;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * What a client TLS context is made of, and so what makes two contexts differ: the certificates trusted (PEM; null for
 * the JDK's), or any certificate at all ({@code insecure}); a client certificate and its unencrypted PKCS#8 key (PEM,
 * both or neither) for mutual TLS; the protocol versions offered (null for the JDK's defaults); the cipher suites
 * offered (null for the defaults; names the JDK does not know are left out). Equal settings share one context in
 * {@link TlsContexts}.
 */
public record TlsSettings(
        String trustedPem,
        boolean insecure,
        String clientCertificatePem,
        byte[] clientKeyPem,
        List<String> protocols,
        List<String> ciphers) {

    /** The JDK's trust store, with the certificate's name checked as HTTPS does. */
    public static final TlsSettings VERIFYING = new TlsSettings(null, false, null, null, null, null);

    /** Any certificate is accepted (an origin marked {@code insecure}). */
    public static final TlsSettings INSECURE = new TlsSettings(null, true, null, null, null, null);

    public TlsSettings {
        if ((clientCertificatePem == null) != (clientKeyPem == null)) {
            throw new IllegalArgumentException("a client certificate needs its key, and a key its certificate");
        }
        protocols = protocols == null ? null : List.copyOf(protocols);
        ciphers = ciphers == null ? null : List.copyOf(ciphers);
        clientKeyPem = clientKeyPem == null ? null : clientKeyPem.clone();
    }

    /** The client key, a copy. */
    @Override
    public byte[] clientKeyPem() {
        return clientKeyPem == null ? null : clientKeyPem.clone();
    }

    /** By content, the key's bytes included. */
    @Override
    public boolean equals(Object o) {
        return o instanceof TlsSettings t
                && insecure == t.insecure
                && Objects.equals(trustedPem, t.trustedPem)
                && Objects.equals(clientCertificatePem, t.clientCertificatePem)
                && Arrays.equals(clientKeyPem, t.clientKeyPem)
                && Objects.equals(protocols, t.protocols)
                && Objects.equals(ciphers, t.ciphers);
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                trustedPem, insecure, clientCertificatePem, Arrays.hashCode(clientKeyPem), protocols, ciphers);
    }

    /** Names the settings without the key's bytes. */
    @Override
    public String toString() {
        return "TlsSettings[trusted=" + (insecure ? "any" : trustedPem == null ? "jdk" : "pem")
                + ", client certificate=" + (clientCertificatePem != null)
                + ", protocols=" + protocols + ", ciphers=" + ciphers + "]";
    }
}
