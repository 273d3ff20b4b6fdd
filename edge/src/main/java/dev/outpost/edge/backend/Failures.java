package dev.outpost.edge.backend;

import dev.outpost.edge.config.BackendConfig;
import io.netty.channel.ConnectTimeoutException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import javax.net.ssl.SSLException;

/** How a backend connection's failures map to the ABI's send errors, with messages that name the backend. */
final class Failures {
    private Failures() {}

    /** The connection could not be made: the name has no address, none answered, or the time ran out. */
    static BackendException connect(BackendConfig backend, Throwable cause) {
        SendErrorTag tag = cause instanceof ConnectTimeoutException
                ? SendErrorTag.CONNECTION_TIMEOUT
                : cause instanceof UnknownHostException
                        ? SendErrorTag.DNS_ERROR
                        : cause instanceof ConnectException
                                ? SendErrorTag.CONNECTION_REFUSED
                                : cause instanceof BackendException be ? be.tag() : SendErrorTag.CONNECTION_REFUSED;
        String what = tag == SendErrorTag.CONNECTION_TIMEOUT
                ? "no connection within the connect timeout of "
                        + backend.connectTimeout().toMillis() + " ms"
                : cause.getMessage();
        return new BackendException(tag, "backend " + backend.name() + " (" + backend.url() + "): " + what, cause);
    }

    /** The TLS handshake failed: versions, an alert from the server, or its certificate. */
    static BackendException tls(BackendConfig backend, Throwable cause) {
        String message = String.valueOf(cause.getMessage());
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        SendErrorTag tag;
        if (message.contains("protocol_version")
                || message.contains("insufficient_security")
                || message.contains("No appropriate protocol")) {
            // No TLS version (or cipher) both sides accept.
            tag = SendErrorTag.TLS_PROTOCOL_ERROR;
        } else if (message.contains("Received fatal alert")) {
            tag = SendErrorTag.TLS_ALERT_RECEIVED;
        } else if (root instanceof CertificateException
                || root instanceof CertPathValidatorException
                || message.contains("PKIX")
                || message.contains("certificate")) {
            tag = SendErrorTag.TLS_CERTIFICATE_ERROR;
        } else if (message.contains("protocol") || message.contains("cipher")) {
            tag = SendErrorTag.TLS_PROTOCOL_ERROR;
        } else {
            tag = SendErrorTag.TLS_PROTOCOL_ERROR;
        }
        return new BackendException(
                tag, "backend " + backend.name() + " (" + backend.url() + "): TLS handshake failed: " + message, cause);
    }

    /** The TLS failure in {@code t}'s causes (Netty hands some over wrapped in a DecoderException), or null. */
    static SSLException sslCause(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof SSLException ssl) {
                return ssl;
            }
        }
        return null;
    }
}
