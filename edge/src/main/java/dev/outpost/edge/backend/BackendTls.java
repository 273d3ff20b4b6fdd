package dev.outpost.edge.backend;

import dev.outpost.edge.config.BackendConfig;
import dev.outpost.edge.config.BackendOptions;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;

/**
 * TLS to backends as a backend asks for it: its CA certificates (else the JDK's), a client certificate for mutual
 * TLS, the TLS versions and ciphers it allows, SNI (or none), and the certificate's host name checked. Contexts are
 * built once per distinct setting and shared.
 */
final class BackendTls {
    /** What makes two backends' TLS contexts differ. */
    private record Key(String ca, String clientCert, List<Byte> clientKey, int min, int max, String ciphers) {}

    private final Map<Key, SslContext> contexts = new ConcurrentHashMap<>();

    /** A handler for one new connection to {@code backend}; its engine checks the certificate's host name. */
    SslHandler handler(BackendConfig backend, ByteBufAllocator alloc) {
        SslContext context = context(backend);
        String certHost =
                backend.certHost() != null ? backend.certHost() : backend.url().getHost();
        BackendOptions o = backend.options();
        SslHandler handler = context.newHandler(alloc, certHost, backend.port());
        SSLEngine engine = handler.engine();
        SSLParameters params = engine.getSSLParameters();
        params.setEndpointIdentificationAlgorithm("HTTPS");
        if (!backend.useSni()) {
            params.setServerNames(List.of());
        } else if (o.sniHostname() != null && !o.sniHostname().equals(certHost)) {
            params.setServerNames(List.of(new SNIHostName(o.sniHostname())));
        }
        engine.setSSLParameters(params);
        return handler;
    }

    /** The backend's TLS context, built on first use; a setting that cannot be used throws. */
    SslContext context(BackendConfig backend) {
        BackendOptions o = backend.options();
        List<Byte> key = null;
        if (o.clientKey() != null) {
            key = new ArrayList<>(o.clientKey().length);
            for (byte b : o.clientKey()) {
                key.add(b);
            }
        }
        Key k = new Key(
                backend.caCertificates(),
                o.clientCertificate(),
                key,
                o.minTlsVersion(),
                o.maxTlsVersion(),
                o.ciphers());
        return contexts.computeIfAbsent(k, BackendTls::build);
    }

    private static SslContext build(Key k) {
        try {
            SslContextBuilder builder = SslContextBuilder.forClient();
            if (k.ca() != null) {
                builder.trustManager(stream(k.ca()));
            }
            if (k.clientCert() != null) {
                byte[] key = new byte[k.clientKey().size()];
                for (int i = 0; i < key.length; i++) {
                    key[i] = k.clientKey().get(i);
                }
                builder.keyManager(stream(k.clientCert()), new ByteArrayInputStream(key));
            }
            if (k.min() >= 0 || k.max() >= 0) {
                int min = k.min() >= 0 ? k.min() : BackendOptions.TLS_1_2;
                int max = k.max() >= 0 ? k.max() : BackendOptions.TLS_1_3;
                List<String> protocols = new ArrayList<>();
                for (int v = min; v <= max; v++) {
                    protocols.add(BackendOptions.protocol(v));
                }
                builder.protocols(protocols);
            }
            if (k.ciphers() != null) {
                builder.ciphers(Arrays.asList(k.ciphers().split("[:, ]+")), SupportedCipherSuiteFilter.INSTANCE);
            }
            return builder.build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new BackendException(
                    SendErrorTag.TLS_CONFIGURATION_ERROR,
                    "TLS settings of the backend cannot be used: " + e.getMessage()
                            + (k.clientCert() != null
                                    ? " (the client key must be an unencrypted PKCS#8 PEM key;"
                                            + " convert one with: openssl pkcs8 -topk8 -nocrypt -in key.pem)"
                                    : ""),
                    e);
        }
    }

    private static ByteArrayInputStream stream(String pem) {
        return new ByteArrayInputStream(Objects.requireNonNull(pem).getBytes(StandardCharsets.US_ASCII));
    }
}
