package dev.outpost.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A throwaway self-signed certificate (EC secp256r1, valid two days), made with the JDK's own {@code keytool}, for a
 * test's TLS server: as an {@link SSLContext} ({@link TestOrigin#https}) or as PEM files (a proxy's certificates
 * directory).
 */
public final class TestCertificate {
    private static final String ALIAS = "k";
    private static final char[] PASSWORD = "changeit".toCharArray();

    private final KeyStore store;

    private TestCertificate(KeyStore store) {
        this.store = store;
    }

    /**
     * A certificate for {@code dn} (e.g. {@code CN=localhost}) with the subject alternative names {@code san} (e.g.
     * {@code dns:localhost,ip:127.0.0.1}); its key store is {@code dir/NAME.p12}.
     */
    public static TestCertificate create(Path dir, String name, String dn, String san)
            throws IOException, GeneralSecurityException, InterruptedException {
        Path ks = dir.resolve(name + ".p12");
        Path keytool =
                Path.of(ProcessHandle.current().info().command().orElseThrow()).resolveSibling("keytool");
        Process p = new ProcessBuilder(
                        keytool.toString(),
                        "-genkeypair",
                        "-alias",
                        ALIAS,
                        "-keyalg",
                        "EC",
                        "-groupname",
                        "secp256r1",
                        "-dname",
                        dn,
                        "-ext",
                        "SAN=" + san,
                        "-validity",
                        "2",
                        "-storetype",
                        "PKCS12",
                        "-keystore",
                        ks.toString(),
                        "-storepass",
                        new String(PASSWORD),
                        "-keypass",
                        new String(PASSWORD))
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("keytool did not finish within 60 seconds: " + out);
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException("keytool exited with " + p.exitValue() + ": " + out);
        }
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(ks)) {
            store.load(in, PASSWORD);
        }
        return new TestCertificate(store);
    }

    /** A server context that presents this certificate. */
    public SSLContext serverContext() throws GeneralSecurityException {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(store, PASSWORD);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(kmf.getKeyManagers(), null, null);
        return ssl;
    }

    public X509Certificate certificate() throws GeneralSecurityException {
        return (X509Certificate) store.getCertificate(ALIAS);
    }

    /** The certificate and its private key as PEM files ({@code CERTIFICATE}, {@code PRIVATE KEY}). */
    public void writePem(Path certificateFile, Path keyFile) throws IOException, GeneralSecurityException {
        Files.writeString(certificateFile, pem("CERTIFICATE", certificate().getEncoded()));
        Files.writeString(
                keyFile, pem("PRIVATE KEY", store.getKey(ALIAS, PASSWORD).getEncoded()));
    }

    /** DER bytes as a PEM block of {@code type}. */
    public static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
