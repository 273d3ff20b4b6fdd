package dev.outpost.edge.backend;

import dev.outpost.edge.config.BackendConfig;
import dev.outpost.edge.config.BackendOptions;
import dev.outpost.origin.ConnectOptions;
import dev.outpost.origin.Endpoint;
import dev.outpost.origin.TlsSettings;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A backend in the terms of the {@code origin} module: the {@link Endpoint} (host, port, TLS, the name its
 * certificate must match: {@code cert_host}, else the URL's host), the {@link TlsSettings} (CA certificates, else the
 * JDK's; a client certificate for mutual TLS; the TLS versions and ciphers it allows), and the server name sent
 * ({@code sni_hostname}, or none when {@code use_sni} is off). Two backends with equal targets have interchangeable
 * connections: the record is the key of {@link BackendPool}.
 *
 * @param backend the backend's name (connections are never shared between backends)
 * @param tls null for a plain backend
 * @param sni as {@link ConnectOptions#sni()}: null for the certificate's name, empty for none
 */
record BackendTarget(String backend, Endpoint endpoint, TlsSettings tls, String sni) {

    /**
     * The target of {@code b}.
     *
     * @throws BackendException ({@code tls_configuration_error}) for a TLS version the JDK does not know
     */
    static BackendTarget of(BackendConfig b) {
        String certHost = b.certHost() != null ? b.certHost() : b.url().getHost();
        Endpoint endpoint = new Endpoint(Endpoint.unbracket(b.url().getHost()), b.port(), b.tls(), certHost, false);
        if (!b.tls()) {
            return new BackendTarget(b.name(), endpoint, null, null);
        }
        BackendOptions o = b.options();
        String sni = !b.useSni()
                ? ""
                : o.sniHostname() != null && !o.sniHostname().equals(certHost) ? o.sniHostname() : null;
        TlsSettings settings;
        try {
            settings = new TlsSettings(
                    b.caCertificates(),
                    false,
                    o.clientCertificate(),
                    o.clientKey(),
                    protocols(o),
                    o.ciphers() == null ? null : Arrays.asList(o.ciphers().split("[:, ]+")));
        } catch (IllegalArgumentException e) {
            throw unusable(b, e);
        }
        return new BackendTarget(b.name(), endpoint, settings, sni);
    }

    /** The versions from the backend's minimum to its maximum (TLS 1.2 to 1.3 where it sets only one); null: all. */
    private static List<String> protocols(BackendOptions o) {
        if (o.minTlsVersion() < 0 && o.maxTlsVersion() < 0) {
            return null;
        }
        int min = o.minTlsVersion() >= 0 ? o.minTlsVersion() : BackendOptions.TLS_1_2;
        int max = o.maxTlsVersion() >= 0 ? o.maxTlsVersion() : BackendOptions.TLS_1_3;
        List<String> protocols = new ArrayList<>();
        for (int v = min; v <= max; v++) {
            protocols.add(BackendOptions.protocol(v));
        }
        return protocols;
    }

    /**
     * How a connection to {@code b} is made: its connect timeout bounds the whole connect (its addresses in turn),
     * IPv6 addresses first unless it prefers IPv4 ({@code prefer_ipv4}), as production does.
     */
    ConnectOptions options(BackendConfig b) {
        return new ConnectOptions(
                b.connectTimeout(),
                b.connectTimeout(),
                b.options().preferIpv4()
                        ? ConnectOptions.AddressOrder.IPV4_FIRST
                        : ConnectOptions.AddressOrder.IPV6_FIRST,
                tls,
                sni);
    }

    /** The backend's TLS settings cannot be used (a certificate or key that does not parse, say). */
    static BackendException unusable(BackendConfig b, Exception e) {
        boolean mutual = b.options().clientCertificate() != null;
        return new BackendException(
                SendErrorTag.TLS_CONFIGURATION_ERROR,
                "TLS settings of the backend cannot be used: " + e.getMessage()
                        + (mutual
                                ? " (the client key must be an unencrypted PKCS#8 PEM key;"
                                        + " convert one with: openssl pkcs8 -topk8 -nocrypt -in key.pem)"
                                : ""),
                e);
    }
}
